import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { maxBigint } from "../../lib/bigint.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { createHarness, type Harness, pickIds, settledCount } from "../testing/harness.ts"
import { createPgcrBlockedWorker, type PgcrBlockedWorker, readFirstBlockedAt } from "./pgcr-blocked.ts"

/** The simulator and the worker share this clock; the test moves it by hand (no sleeping on timing). */
let clock = Date.now()
const now = () => clock

let h: Harness
beforeAll(async () => {
  // Every raid withheld until the gates open 2 minutes (simulated) after the simulator started.
  h = await createHarness({ now, floodgates: { closed: true, hashes: [], fromId: null, openAfterMs: 120_000 } })
})
afterAll(async () => {
  await h?.close()
})

const count = async (sql: string) => Number((await h.db.sql.unsafe(sql))[0]!.n)

describe("pgcr_blocked", () => {
  let hermes: HermesHandle
  let worker: PgcrBlockedWorker

  test("floodgates: 500 withheld ids wait in the queue without burning retries; released after 2 minutes they are all stored, the gauge is set, none is ledgered", async () => {
    const ids = pickIds(h.sim, 16_000).raids.slice(0, 500)
    expect(ids.length).toBe(500)
    for (const id of ids) expect(h.sim.truth.id(id).floodgated).toBe(true)
    const blockedAt = new Date(clock).toISOString()
    for (const id of ids) await h.publish("pgcr_blocked", JSON.stringify({ instanceId: id.toString(), blockedAt }))
    const released: bigint[] = []
    hermes = await h.hermes({
      pgcr_blocked: (_publisher, metrics) => {
        worker = createPgcrBlockedWorker({
          sql: h.db.sql,
          bungie: h.bungie,
          defs: h.defs,
          log: h.log,
          now,
          probeIntervalMs: 20,
          onReleased: (id) => {
            released.push(id)
            metrics.floodgatesRecent.set(Number(id))
          },
        })
        return worker
      },
    })
    // Closed: the queue is paused, the prober keeps finding the head withheld, nothing moves.
    await waitUntil(async () => (await settledCount(hermes, "pgcr_blocked", "requeue")) >= 20, "twenty probes")
    expect(hermes.runners.get("pgcr_blocked")!.pauseReasons).toEqual(["floodgates"])
    expect(await h.depth("pgcr_blocked")).toBe(500)
    expect(await count("select count(*) as n from core.instance")).toBe(0)
    expect(await settledCount(hermes, "pgcr_blocked", "retry")).toBe(0)

    clock += 120_001
    await waitUntil(async () => (await count("select count(*) as n from core.instance")) === 500, "all 500 stored", 120_000, 50)
    expect(hermes.runners.get("pgcr_blocked")!.paused).toBe(false)
    expect(await count("select count(*) as n from crawl.missed_pgcr")).toBe(0)
    expect(await settledCount(hermes, "pgcr_blocked", "retry")).toBe(0)
    expect(await settledCount(hermes, "pgcr_blocked", "dead")).toBe(0)
    const newest = ids.reduce(maxBigint)
    expect(worker.gates.newestReleased).toBe(newest)
    const text = await fetch(`${hermes.metricsUrl}/metrics`).then((r) => r.text())
    // A plain integer: the public status page uses the sample's text as an instance id.
    expect(text).toContain(`floodgates_recent_pgcr ${newest}`)
    await waitUntil(async () => (await h.depth("pgcr_blocked")) === 0, "the queue empty")
  }, 180_000)

  test("an id still withheld after 24 hours goes to the ledger as blocked; one without a time gets a first-blocked header", async () => {
    // Close the gates for good (no automatic opening) and wait for the worker to notice.
    h.sim.controls.closeFloodgates()
    const { raids } = pickIds(h.sim, 16_000)
    const [old, fresh] = [raids[600]!, raids[601]!]
    await h.publish(
      "pgcr_blocked",
      JSON.stringify({ instanceId: old.toString(), blockedAt: new Date(clock - 25 * 3_600_000).toISOString() }),
    )
    await h.publish("pgcr_blocked", fresh.toString(), "text/plain")
    await waitUntil(async () => (await count("select count(*) as n from crawl.missed_pgcr")) === 1, "the old id ledgered", 60_000)
    const [row] = await h.db.sql`select instance_id::text as id, state, last_result, crawler, next_retry_at from crawl.missed_pgcr`
    expect([row!.id, row!.state, row!.crawler]).toEqual([old.toString(), "blocked", "pgcr_blocked"])
    expect((row!.next_retry_at as Date).getTime()).toBe(clock + 24 * 3_600_000)
    // The fresh id without a time went to the tail once with the header, and waits.
    await waitUntil(async () => hermes.runners.get("pgcr_blocked")!.paused, "the gates closed again")
    await hermes.stop()
    const [waiting] = await h.drain("pgcr_blocked")
    expect(waiting!.body).toBe(fresh.toString())
    expect(Date.parse(String(waiting!.headers["x-first-blocked-at"]))).toBeLessThanOrEqual(clock)
    expect(await settledCount(hermes, "pgcr_blocked", "retry")).toBe(0)
  }, 90_000)
})

test("the first-blocked time comes from our header, else the producer's blockedAt, else is unknown", () => {
  const body = (text: string) => Buffer.from(text)
  expect(
    readFirstBlockedAt({ headers: { "x-first-blocked-at": "2026-01-01T00:00:00.000Z" }, body: body("1"), contentType: "text/plain" }),
  ).toBe(Date.parse("2026-01-01T00:00:00.000Z"))
  expect(
    readFirstBlockedAt({ headers: {}, body: body('{"instanceId":"1","blockedAt":"2026-01-02T00:00:00Z"}'), contentType: undefined }),
  ).toBe(Date.parse("2026-01-02T00:00:00Z"))
  expect(readFirstBlockedAt({ headers: {}, body: body("17000000000"), contentType: "text/plain" })).toBeNull()
  expect(readFirstBlockedAt({ headers: { "x-first-blocked-at": "garbage" }, body: body("{oops"), contentType: undefined })).toBeNull()
})

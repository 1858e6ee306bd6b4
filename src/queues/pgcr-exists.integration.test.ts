import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../apps/hermes/runtime/hermes.ts"
import { waitUntil } from "../lib/messaging/testing/wait-until.ts"
import { createPgcrExistsWorker } from "./pgcr-exists.ts"
import { createHarness, type Harness, pickIds, settledCount } from "./testing/harness.ts"

let h: Harness
let hermes: HermesHandle
beforeAll(async () => {
  h = await createHarness()
})
afterAll(async () => {
  await h?.close()
})

const count = async (sql: string, params: unknown[] = []) => Number((await h.db.sql.unsafe(sql, params as never[]))[0]!.n)

test("pgcr_exists: good, duplicate, non-raid, malformed, unknown and withheld ids each get their effect", async () => {
  const { raids, others } = pickIds(h.sim)
  const [good, again, withheld] = [raids[0]!, raids[1]!, raids.at(-1)!]
  const nonRaid = others[0]!
  const unknown = BigInt(h.sim.truth.frontier().nextId) + 1_000_000n
  // Withhold only the newest raid id.
  h.sim.controls.closeFloodgates({ fromId: withheld })
  hermes = await h.hermes({
    pgcr_exists: (publisher) => createPgcrExistsWorker({ sql: h.db.sql, bungie: h.bungie, defs: h.defs, publisher, log: h.log }),
  })
  // Three wire formats for the good id, twice for another: stored once each.
  await h.publish("pgcr_exists", good.toString(), "text/plain")
  await h.publish("pgcr_exists", JSON.stringify({ instanceId: good.toString() }))
  await h.publish("pgcr_exists", `{"instanceId":${good}}`)
  await h.publish("pgcr_exists", JSON.stringify({ instanceId: again.toString() }))
  await h.publish("pgcr_exists", JSON.stringify({ instanceId: again.toString() }))
  await h.publish("pgcr_exists", nonRaid.toString(), "text/plain")
  await h.publish("pgcr_exists", "definitely not an id", "text/plain")
  await h.publish("pgcr_exists", unknown.toString(), "text/plain")
  await h.publish("pgcr_exists", withheld.toString(), "text/plain")

  await waitUntil(
    async () => (await settledCount(hermes, "pgcr_exists", "ok")) === 8 && (await settledCount(hermes, "pgcr_exists", "dead")) === 1,
    "all nine messages settled",
  )

  const stored = await h.db.sql`select instance_id::text as id from core.instance order by 1`
  expect(stored.map((r) => r.id)).toEqual([good.toString(), again.toString()].sort())
  // Same side effects as atlas: the cheat check and ClickHouse rows are in the outbox, once per instance.
  expect(await count("select count(*) as n from crawl.outbox where topic = 'queue.pgcr_cheat_check'")).toBe(2)
  expect(await count("select count(*) as n from crawl.outbox where topic = 'clickhouse.instance'")).toBe(2)
  expect(await count("select count(*) as n from raw.pgcr")).toBe(2)
  const ledger = await h.db.sql`select instance_id::text as id, state, last_result, crawler from crawl.missed_pgcr`
  expect(ledger.map((r) => [r.id, r.state, r.last_result, r.crawler])).toEqual([[unknown.toString(), "pending", "notFound", "pgcr_exists"]])
  const [blocked] = await h.drain("pgcr_blocked")
  expect(JSON.parse(blocked!.body)).toMatchObject({ instanceId: withheld.toString() })
  expect(Number.isFinite(Date.parse(JSON.parse(blocked!.body).blockedAt))).toBe(true)
  const dead = await h.drain("pgcr_exists.dead")
  expect(dead.map((d) => d.body)).toEqual(["definitely not an id"])
  expect(String(dead[0]!.headers["x-dead-reason"])).toStartWith("unparseable")
})

test("pgcr_exists: a stored id that is later replayed makes no Bungie request", async () => {
  const { raids } = pickIds(h.sim)
  const pgcrRequests = () => h.sim.truth.stats().totals.byEndpoint.pgcr ?? 0
  const before = pgcrRequests()
  const settled = await settledCount(hermes, "pgcr_exists", "ok")
  await h.publish("pgcr_exists", raids[0]!.toString(), "text/plain")
  await waitUntil(async () => (await settledCount(hermes, "pgcr_exists", "ok")) === settled + 1, "the message settled")
  expect(pgcrRequests()).toBe(before)
})

test("pgcr_exists: maintenance (SystemDisabled) pauses the queue without burning retries; it resumes by itself when Destiny2 is back", async () => {
  const { raids } = pickIds(h.sim)
  const ids = raids.slice(10, 20)
  const retries = await settledCount(hermes, "pgcr_exists", "retry")
  h.sim.controls.setMaintenance(true)
  for (const id of ids) await h.publish("pgcr_exists", id.toString(), "text/plain")
  const runner = hermes.runners.get("pgcr_exists")!
  await waitUntil(() => runner.pauseReasons.includes("bungie:Destiny2"), "the pause")
  await waitUntil(() => runner.running === 0, "consumers cancelled")
  await waitUntil(async () => (await h.depth("pgcr_exists")) === ids.length, "every message back in the queue, ready")
  h.sim.controls.setMaintenance(false)
  await waitUntil(
    async () =>
      (await count(`select count(*) as n from core.instance where instance_id = any($1::bigint[])`, [ids.map(String)])) === ids.length,
    "all stored after maintenance",
    60_000,
  )
  expect(runner.paused).toBe(false)
  expect(await settledCount(hermes, "pgcr_exists", "retry")).toBe(retries)
})

import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../apps/hermes/runtime/hermes.ts"
import { storeInstances } from "../lib/database/instance-store.ts"
import { createTestClickhouse, type TestClickhouse } from "../lib/database/testing.ts"
import { waitUntil } from "../lib/messaging/testing/wait-until.ts"
import { generateSyntheticInstances } from "../lib/pgcr/synthetic.ts"
import { createPgcrClickhouseWorker, type PgcrClickhouseWorker } from "./pgcr-clickhouse.ts"
import { createHarness, type Harness, settledCount } from "./testing/harness.ts"

let h: Harness
let ch: TestClickhouse
beforeAll(async () => {
  ;[h, ch] = await Promise.all([createHarness(), createTestClickhouse({ migrate: true })])
})
afterAll(async () => {
  await Promise.all([h?.close(), ch?.drop()])
})

async function clickhouseIds(): Promise<string[]> {
  const result = await ch.client.query({
    query: "SELECT toString(instance_id) AS id FROM instance FINAL ORDER BY instance_id",
    format: "JSONEachRow",
  })
  return ((await result.json()) as { id: string }[]).map((r) => r.id)
}

test("pgcr_clickhouse: batches become one insert each; duplicates collapse; unknown ids are acked; malformed ones parked; an outage pauses the queue and loses nothing", async () => {
  const items = generateSyntheticInstances({ count: 300, playerPool: 40, seed: 21 })
  await storeInstances(h.db.sql, items)
  const ids = items.map((i) => i.instance.instanceId).sort()
  // ClickHouse is down for the first two inserts (a scripted fault: the embedded engine cannot be unplugged).
  let failuresLeft = 2
  let inserts = 0
  let worker: PgcrClickhouseWorker
  const hermes: HermesHandle = await h.hermes(
    {
      pgcr_clickhouse: () => {
        worker = createPgcrClickhouseWorker({
          sql: h.db.sql,
          log: h.log,
          batchSize: 8_192,
          batchMs: 200,
          outagePauseMs: 1_000,
          insert: async (rows) => {
            if (failuresLeft-- > 0) throw new Error("ClickHouse: connection refused")
            inserts++
            await ch.client.insert({ table: "instance", values: rows as object[], format: "JSONEachRow" })
          },
        })
        return worker
      },
    },
    { specOverrides: { pgcr_clickhouse: { retrySchedule: [50, 100] } } },
  )
  for (const id of ids) await h.publish("pgcr_clickhouse", JSON.stringify({ instanceId: id }))
  // Twice more for the first 50 (a relay redelivering after a crash), one unknown id and one malformed message.
  for (const id of ids.slice(0, 50)) await h.publish("pgcr_clickhouse", JSON.stringify({ instanceId: id }))
  await h.publish("pgcr_clickhouse", JSON.stringify({ instanceId: "99999999999" }))
  await h.publish("pgcr_clickhouse", JSON.stringify({ instance: "nope" }))

  await waitUntil(async () => (await clickhouseIds()).length === 300, "all 300 instances in ClickHouse", 60_000, 100)
  await waitUntil(async () => (await settledCount(hermes, "pgcr_clickhouse", "ok")) >= 351, "every good message acked").catch(
    async (error) => {
      const counts = await Promise.all(["ok", "pause", "retry", "dead"].map((s) => settledCount(hermes, "pgcr_clickhouse", s)))
      throw new Error(`${error.message}; settled ok/pause/retry/dead = ${counts.join("/")}, ready ${await h.depth("pgcr_clickhouse")}`)
    },
  )
  // At least once: a consumer closed by the pause can lose an ack in flight, and that message is
  // handled again. The effect stays exactly once: one row per instance (FINAL), none missing.
  const rows = await ch.client.query({ query: "SELECT count() AS n FROM instance FINAL", format: "JSONEachRow" })
  expect(Number(((await rows.json()) as { n: string }[])[0]!.n)).toBe(300)
  expect(await clickhouseIds()).toEqual(ids)
  // The outage cost no retries and no message: the batches went back to the queue and came again.
  expect(await settledCount(hermes, "pgcr_clickhouse", "pause")).toBeGreaterThan(0)
  expect(await settledCount(hermes, "pgcr_clickhouse", "retry")).toBe(0)
  expect(await settledCount(hermes, "pgcr_clickhouse", "dead")).toBe(1)
  // 351 messages in a few inserts, not one insert per message.
  expect(inserts).toBeLessThan(20)
  const dead = await h.drain("pgcr_clickhouse.dead")
  expect(String(dead[0]!.headers["x-dead-reason"])).toContain("without instanceId")
})

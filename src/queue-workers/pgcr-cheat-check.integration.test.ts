import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../apps/hermes/runtime/hermes.ts"
import { storeInstances } from "../lib/database/instance-store.ts"
import type { AnySql } from "../lib/database/sql-types.ts"
import { waitUntil } from "../lib/messaging/testing/wait-until.ts"
import { generateSyntheticInstances } from "../lib/pgcr/synthetic.ts"
import { createPgcrCheatCheckWorker } from "./pgcr-cheat-check.ts"
import { createHarness, type Harness, settledCount } from "./testing/harness.ts"

let h: Harness
beforeAll(async () => {
  h = await createHarness()
})
afterAll(async () => {
  await h?.close()
})

/** A simple stand-in check: instances with fewer than three players are "impossible". */
const VERSION = "test-1"
interface Input {
  playerCount: number
}
interface Verdict {
  probability: number
  bits: bigint
}
const load = async (sql: AnySql, id: bigint): Promise<Input | null> => {
  const rows = await sql`select player_count from core.instance where instance_id = ${id.toString()}::bigint`
  return rows.length === 0 ? null : { playerCount: Number(rows[0]!.player_count) }
}
const check = (input: Input): Verdict => (input.playerCount < 3 ? { probability: 1, bits: 1n << 40n } : { probability: 0, bits: 0n })
const write = async (sql: AnySql, id: bigint, verdict: Verdict) => {
  if (verdict.probability === 0) return
  await sql`
    insert into flagging.flag_instance (instance_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
    values (${id.toString()}::bigint, ${VERSION}, ${verdict.bits.toString()}::bigint, ${verdict.probability})
    on conflict (instance_id, cheat_check_version) do update set cheat_check_bitmask = excluded.cheat_check_bitmask,
      cheat_probability = excluded.cheat_probability`
}

test("pgcr_cheat_check: every stored instance is checked once per version; duplicates rewrite the same flag; unknown and malformed ids are parked", async () => {
  const items = generateSyntheticInstances({ count: 30, playerPool: 20, seed: 5 })
  await storeInstances(h.db.sql, items)
  const hermes: HermesHandle = await h.hermes({ pgcr_cheat_check: () => createPgcrCheatCheckWorker({ sql: h.db.sql, load, check, write }) })
  // The store's outbox rows for these instances, as the relay would publish them.
  const outbox = await h.db
    .sql`select convert_from(payload, 'UTF8') as body from crawl.outbox where topic = 'queue.pgcr_cheat_check' order by id`
  expect(outbox.length).toBe(30)
  for (const row of outbox) await h.publish("pgcr_cheat_check", row.body as string)
  await h.publish("pgcr_cheat_check", outbox[0]!.body as string)
  await h.publish("pgcr_cheat_check", "17999999999", "text/plain")
  await h.publish("pgcr_cheat_check", "{}")
  await waitUntil(
    async () =>
      (await settledCount(hermes, "pgcr_cheat_check", "ok")) === 31 && (await settledCount(hermes, "pgcr_cheat_check", "dead")) === 2,
    "all messages settled",
  )
  const expected = items
    .filter((i) => i.instance.playerCount < 3)
    .map((i) => i.instance.instanceId)
    .sort()
  expect(expected.length).toBeGreaterThan(0)
  const flags = await h.db.sql`select instance_id::text as id, cheat_check_bitmask::text as bits from flagging.flag_instance order by 1`
  expect(flags.map((f) => f.id)).toEqual(expected)
  expect(flags.every((f) => f.bits === (1n << 40n).toString())).toBe(true)
  const dead = await h.drain("pgcr_cheat_check.dead")
  expect(dead.map((d) => String(d.headers["x-dead-reason"])).sort()).toEqual([
    "instance 17999999999 is not stored",
    "unparseable: JSON object without instanceId",
  ])
})

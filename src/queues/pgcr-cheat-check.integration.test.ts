import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../apps/hermes/runtime/hermes.ts"
import { checkInstance } from "../lib/cheat/check-instance.ts"
import { DEFAULT_HEURISTICS } from "../lib/cheat/heuristics-table.ts"
import { CHEAT_CHECK_VERSION, shouldReportInstance, shouldReportPlayer } from "../lib/cheat/reporting.ts"
import { loadCheatInstance } from "../lib/database/cheat-input-loader.ts"
import { storeInstances } from "../lib/database/instance-store.ts"
import type { AnySql } from "../lib/database/sql-types.ts"
import { waitUntil } from "../lib/messaging/testing/wait-until.ts"
import { generateSyntheticInstances } from "../lib/pgcr/synthetic.ts"
import { createPgcrCheatCheckWorker } from "./pgcr-cheat-check.ts"
import { createCheatCheckWorker } from "./registry.ts"
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
  await hermes.stop()
})

test("pgcr_cheat_check as registered: a published id ends as the check's flag rows at the current version, near-certain runs blacklisted", async () => {
  const items = generateSyntheticInstances({ count: 60, playerPool: 40, seed: 23, firstInstanceId: "15100000000" })
  await storeInstances(h.db.sql, items)
  const hermes = await h.hermes({ pgcr_cheat_check: () => createCheatCheckWorker(h.db.sql, h.log) })
  for (const item of items) await h.publish("pgcr_cheat_check", JSON.stringify({ instanceId: item.instance.instanceId }))
  await waitUntil(async () => (await settledCount(hermes, "pgcr_cheat_check", "ok")) === items.length, "all checked")

  // What the check says, computed here from the same stored rows.
  const expectedInstances: string[] = []
  const expectedPlayers: string[] = []
  const expectedBlacklist: string[] = []
  for (const item of items) {
    const input = await loadCheatInstance(h.db.sql, BigInt(item.instance.instanceId))
    const verdict = checkInstance(input!, DEFAULT_HEURISTICS, CHEAT_CHECK_VERSION)
    if (verdict.skipped) continue
    if (shouldReportInstance(verdict.instanceProbability)) {
      expectedInstances.push(`${verdict.instanceId}:${verdict.instanceBits}`)
      if (verdict.instanceProbability >= 0.95) expectedBlacklist.push(String(verdict.instanceId))
    }
    for (const p of verdict.players)
      if (shouldReportPlayer(p.probability)) expectedPlayers.push(`${verdict.instanceId}:${p.membershipId}:${p.bits}`)
  }
  expect(expectedInstances.length).toBeGreaterThan(0)
  expect(expectedPlayers.length).toBeGreaterThan(0)
  expect(expectedBlacklist.length).toBeGreaterThan(0)
  const rows = await h.db.sql`
    select instance_id::text || ':' || cheat_check_bitmask::text as k from flagging.flag_instance
    where cheat_check_version = ${CHEAT_CHECK_VERSION} order by instance_id`
  expect(rows.map((r) => r.k)).toEqual(expectedInstances.sort())
  const players = await h.db.sql`
    select instance_id::text || ':' || membership_id::text || ':' || cheat_check_bitmask::text as k from flagging.flag_instance_player
    where cheat_check_version = ${CHEAT_CHECK_VERSION}`
  expect(players.map((r) => r.k).sort()).toEqual(expectedPlayers.sort())
  const blacklist = await h.db.sql`
    select instance_id::text as id from flagging.blacklist_instance where report_source = 'CheatCheck' and cheat_check_version = ${CHEAT_CHECK_VERSION}`
  expect(blacklist.map((r) => r.id).sort()).toEqual(expectedBlacklist.sort())
  // The team leaderboard leaves blacklisted runs out.
  await h.db.sql`refresh materialized view leaderboard.team_activity_version_leaderboard`
  const onBoard = await h.db.sql`
    select count(*)::int as n from leaderboard.team_activity_version_leaderboard where instance_id = any(${expectedBlacklist}::bigint[])`
  expect(onBoard[0]!.n).toBe(0)
})

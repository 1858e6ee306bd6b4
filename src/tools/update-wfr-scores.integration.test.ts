import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../lib/database/testing.ts"
import type { ToolIo } from "./tool.ts"
import { tool } from "./update-wfr-scores.ts"

const SLOW = 60_000
let db: TestDatabase
const P = (n: number) => (4_611_686_018_500_000_000n + BigInt(n)).toString()

function captureIo(env: Record<string, string>): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env }
}

/** A finished world-first run of `players` completed `minutes` after the raid's launch. */
async function addRun(instanceId: string, hash: number, launch: string, minutes: number, players: number[]): Promise<void> {
  const start = new Date(Date.parse(launch) + 60_000)
  const end = new Date(Date.parse(launch) + minutes * 60_000)
  await db.sql`insert into core.instance (instance_id, hash, completed, player_count, date_started, date_completed, duration, platform_type, fresh, flawless)
    values (${instanceId}, ${hash}, true, ${players.length}, ${start}, ${end}, ${Math.round((end.getTime() - start.getTime()) / 1000)}, 3, true, false)`
  for (const p of players) {
    await db.sql`insert into core.player (membership_id, last_seen, first_seen) values (${P(p)}, ${end}, ${start}) on conflict do nothing`
    await db.sql`insert into core.instance_player (instance_id, membership_id, completed) values (${instanceId}, ${P(p)}, true)`
  }
}

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  // Deep Stone Crypt (activity 8, hash 910380154 is its world-first version) and Vault of Glass (9).
  const [dsc] = await db.sql<
    { hash: bigint }[]
  >`select hash from definitions.activity_version where activity_id = 8 and is_world_first limit 1`
  const [vog] = await db.sql<
    { hash: bigint }[]
  >`select hash from definitions.activity_version where activity_id = 9 and is_world_first limit 1`
  await addRun("9000000001", Number(dsc!.hash), "2020-11-21T18:00:00Z", 300, [1, 2])
  await addRun("9000000002", Number(dsc!.hash), "2020-11-21T18:00:00Z", 400, [1, 3])
  await addRun("9000000003", Number(dsc!.hash), "2020-11-21T18:00:00Z", 500, [4])
  await addRun("9000000004", Number(vog!.hash), "2021-05-22T17:00:00Z", 200, [3])
  await db.sql`insert into core.player (membership_id, last_seen, first_seen, wfr_score) values (${P(9)}, now(), now(), 5)`
  await db.sql`refresh materialized view leaderboard.world_first_contest_leaderboard`
}, SLOW)
afterAll(async () => {
  await db?.drop()
}, SLOW)

describe("update-wfr-scores", () => {
  test(
    "best rank per raid: 1/sqrt(r) x 1.25^(activity - 1), summed; players off the board go back to 0",
    async () => {
      const env = { DATABASE_URL: db.url, LOG_LEVEL: "silent" }
      let io = captureIo(env)
      expect(await tool.run(["--dry-run"], io)).toBe(0)
      expect(JSON.parse(io.stdout[0]!)).toEqual({ scored: 4, updated: 5, dryRun: true })
      io = captureIo(env)
      expect(await tool.run([], io)).toBe(0)
      expect(JSON.parse(io.stdout[0]!)).toEqual({ scored: 4, updated: 5, dryRun: false })
      const rows = await db.sql<
        { id: string; wfr_score: number }[]
      >`select membership_id::text as id, wfr_score from core.player order by 1`
      const score = new Map(rows.map((r) => [r.id, r.wfr_score]))
      const dsc = 1.25 ** 7
      const vog = 1.25 ** 8
      expect(score.get(P(1))).toBeCloseTo(dsc / 1, 10)
      expect(score.get(P(2))).toBeCloseTo(dsc / 1, 10)
      expect(score.get(P(3))).toBeCloseTo(dsc / Math.sqrt(2) + vog, 10)
      expect(score.get(P(4))).toBeCloseTo(dsc / Math.sqrt(3), 10)
      expect(score.get(P(9))).toBe(0)
      io = captureIo(env)
      expect(await tool.run([], io)).toBe(0)
      expect(JSON.parse(io.stdout[0]!).updated).toBe(0)
      io = captureIo(env)
      expect(await tool.run(["extra"], io)).toBe(2)
      expect(io.stderr).toHaveLength(1)
    },
    SLOW,
  )
})

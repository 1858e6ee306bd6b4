/**
 * pan (activity-history-scan) and activity-history-update against Postgres: exactly the stale
 * players of the top are enqueued to activity_history as outbox rows, ids as decimal strings.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { tool as scanTool } from "../../tools/activity-history-scan.ts"
import { tool as historyUpdate } from "../../tools/activity-history-update.ts"
import type { ToolIo } from "../../tools/tool.ts"
import { scanHistories } from "./scan-histories.ts"

const SLOW = 60_000
let db: TestDatabase
const NOW = new Date("2026-06-01T00:00:00Z")
const BASE = 4_611_686_018_400_000_000n

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  // 20 players: clears 20..1 (player i has 20 - i clears); histories: i % 4 == 0 never crawled,
  // 1 crawled 200 days ago (stale), 2 crawled 10 days ago (fresh), 3 crawled 181 days ago (stale).
  for (let i = 0; i < 20; i++) {
    const crawled = [null, 200, 10, 181][i % 4] ?? null
    await db.sql`insert into core.player (membership_id, last_seen, first_seen, clears, history_last_crawled)
      values (${(BASE + BigInt(i)).toString()}, ${NOW}, ${NOW}, ${20 - i}, ${crawled === null ? null : new Date(NOW.getTime() - crawled * 86_400_000)})`
  }
}, SLOW)
afterAll(async () => {
  await db?.drop()
}, SLOW)

async function outboxIds(): Promise<string[]> {
  const rows = await db.sql<{ payload: Uint8Array }[]>`select payload from crawl.outbox where topic = 'queue.activity_history' order by id`
  return rows.map((r) => (JSON.parse(new TextDecoder().decode(r.payload)) as { membershipId: string }).membershipId)
}

function captureIo(env: Record<string, string>): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env }
}

const expectedStale = (top: number) =>
  Array.from({ length: top }, (_, i) => i)
    .filter((i) => i % 4 !== 2)
    .map((i) => (BASE + BigInt(i)).toString())
    .sort()

describe("pan (activity-history-scan)", () => {
  test(
    "enqueues exactly the stale players of the top; a draw when there are more than --count",
    async () => {
      const dry = await scanHistories({ sql: db.sql, top: 10, count: 100, staleDays: 180, dryRun: true, now: () => NOW })
      expect(dry).toMatchObject({ eligible: 8, enqueued: 0 })
      expect([...dry.selected].sort()).toEqual(expectedStale(10))
      expect(await outboxIds()).toEqual([])

      const report = await scanHistories({ sql: db.sql, top: 10, count: 100, staleDays: 180, dryRun: false, now: () => NOW })
      expect(report.enqueued).toBe(8)
      expect((await outboxIds()).sort()).toEqual(expectedStale(10))

      await db.sql`delete from crawl.outbox`
      const draw = await scanHistories({ sql: db.sql, top: 20, count: 5, staleDays: 180, dryRun: false, now: () => NOW })
      expect(draw).toMatchObject({ eligible: 15, enqueued: 5 })
      const drawn = await outboxIds()
      expect(new Set(drawn).size).toBe(5)
      for (const id of drawn) expect(expectedStale(20)).toContain(id)
      await db.sql`delete from crawl.outbox`
    },
    SLOW,
  )

  test(
    "the tools: --help, a bad argument (one line, exit 2), enqueue given players",
    async () => {
      const env = { DATABASE_URL: db.url, LOG_LEVEL: "silent" }
      let io = captureIo(env)
      expect(await scanTool.run(["--help"], io)).toBe(0)
      expect(io.stdout[0]).toContain("--stale-days")
      io = captureIo(env)
      expect(await scanTool.run(["--count", "0"], io)).toBe(2)
      expect(io.stderr).toEqual(['activity-history-scan: --count "0": out of range: expected an integer in [1, 1000000] (see --help)'])
      io = captureIo(env)
      expect(await historyUpdate.run(["123", "12x"], io)).toBe(2)
      expect(io.stderr).toEqual(['activity-history-update: not a membership id: "12x"'])
      io = captureIo(env)
      expect(await historyUpdate.run([(BASE + 1n).toString(), "4611686018400000007", (BASE + 1n).toString()], io)).toBe(0)
      expect(JSON.parse(io.stdout[0]!)).toEqual({ players: 2, enqueued: 2, dryRun: false })
      expect(await outboxIds()).toEqual([(BASE + 1n).toString(), "4611686018400000007"])
    },
    SLOW,
  )
})

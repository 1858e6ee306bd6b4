/**
 * hades against Postgres and the simulator: ids the simulator publishes later are stored on a
 * later replay; lost ids end terminal after the replay budget; non-raids resolve; withheld ids go
 * to pgcr_blocked as outbox rows; --gap finds the ids of a recorded gap range.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { loadDefinitions } from "../../lib/definitions.ts"
import { createJobBungie } from "../../lib/jobs/job-bungie.ts"
import { jobTestConfig } from "../../lib/jobs/testing/job-config.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { replayMissed } from "./replay-missed.ts"
import { DEFAULT_REPLAY_POLICY, decideReplay, findLargestGaps } from "./replay-policy.ts"

const SLOW = 60_000
let db: TestDatabase
let sim: SimHandle
let simNow = Date.now()
const t0 = simNow

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  sim = await startSim({ seed: 5, scenario: "backfill", now: () => simNow, world: { raidShare: 0.3, lostRunChance: 0.3 } })
}, SLOW)
afterAll(async () => {
  await sim?.stop()
  await db?.drop()
}, SLOW)

async function ledger(): Promise<Map<string, { state: string; replays: number; resolution: string | null; next: Date | null }>> {
  const rows = await db.sql<{ id: string; state: string; replays: number; resolution: string | null; next_retry_at: Date | null }[]>`
    select instance_id::text as id, state::text, replays, resolution, next_retry_at from crawl.missed_pgcr`
  return new Map(rows.map((r) => [r.id, { state: r.state, replays: r.replays, resolution: r.resolution, next: r.next_retry_at }]))
}

async function addLedger(ids: readonly string[], due: Date): Promise<void> {
  for (const id of ids) {
    await db.sql`insert into crawl.missed_pgcr (instance_id, crawler, attempts, last_result, next_retry_at, state)
                 values (${id}, 'atlas', 18, 'notFound', ${due}, 'pending')`
  }
}

async function storedIds(ids: readonly string[]): Promise<string[]> {
  const rows = await db.sql<
    { id: string }[]
  >`select instance_id::text as id from core.instance where instance_id = any(${ids}::bigint[]) order by 1`
  return rows.map((r) => r.id)
}

function replay(at: Date, extra: { gap?: boolean; maxReplays?: number } = {}) {
  const bungie = createJobBungie(jobTestConfig(db.url, sim.url), { client: "hades-test", concurrency: 4 })
  return replayMissed({
    sql: db.sql,
    bungie,
    defs: loadDefinitions(),
    now: () => at,
    random: () => 0.5,
    limit: 10_000,
    batchSize: 7,
    concurrency: 4,
    gap: extra.gap ?? false,
    gapMargin: 0,
    maxGapIds: 10_000,
    dryRun: false,
    policy: { ...DEFAULT_REPLAY_POLICY, maxReplays: extra.maxReplays ?? 3 },
  }).finally(() => bungie.close())
}

describe("hades: the replay policy (pure)", () => {
  test("doubling jittered backoff for ids, a larger budget for outages, then terminal", () => {
    const now = new Date(0)
    const p = DEFAULT_REPLAY_POLICY
    expect(decideReplay("notFound", 1, now, p, () => 1)).toEqual({ state: "pending", nextRetryAt: new Date(15 * 60_000) })
    expect(decideReplay("notFound", 2, now, p, () => 1)).toEqual({ state: "pending", nextRetryAt: new Date(30 * 60_000) })
    expect(decideReplay("notFound", 2, now, p, () => 0).nextRetryAt).toEqual(new Date(15 * 60_000))
    expect(decideReplay("notFound", 20, now, { ...p, maxReplays: 30 }, () => 1).nextRetryAt).toEqual(new Date(p.maxMs))
    expect(decideReplay("notFound", p.maxReplays, now, p)).toEqual({ state: "lost", nextRetryAt: null })
    expect(decideReplay("transient", p.maxReplays, now, p, () => 1).state).toBe("pending")
    expect(decideReplay("transient", 3 * p.maxReplays, now, p).state).toBe("lost")
  })

  test("largest contiguous gaps", () => {
    expect(findLargestGaps([5n, 1n, 2n, 3n, 9n, 10n, 3n], 2)).toEqual([
      { start: "1", end: "3", length: 3 },
      { start: "9", end: "10", length: 2 },
    ])
  })
})

describe("hades against the simulator", () => {
  test(
    "stores what appears later, resolves non-raids, gives up on lost ids with a terminal state",
    async () => {
      const start = BigInt(sim.truth.frontier().startId)
      const history = sim.truth.range(start - 3_000n, start)
      const raids = history
        .filter((e) => e.state === "published" && e.kind !== "other")
        .slice(0, 5)
        .map((e) => e.id)
      const nonRaids = history
        .filter((e) => e.state === "published" && e.kind === "other")
        .slice(0, 3)
        .map((e) => e.id)
      const lost = history
        .filter((e) => e.state === "lost")
        .slice(0, 2)
        .map((e) => e.id)
      const next = BigInt(sim.truth.frontier().nextId)
      const later = sim.truth.range(next + 100n, next + 160n).map((e) => e.id)
      expect(raids).toHaveLength(5)
      expect(lost).toHaveLength(2)
      await addLedger([...raids, ...nonRaids, ...lost, ...later], new Date(t0 - 1_000))

      // First replay: the future ids do not exist yet.
      let summary = await replay(new Date(t0))
      expect(summary).toMatchObject({ due: 70, processed: 70, stored: 5, nonRaid: 3, lost: 0, blocked: 0 })
      expect(summary.stillMissing).toBe(62)
      expect(summary.largestGaps[0]).toEqual({ start: later[0]!, end: later.at(-1)!, length: 60 })
      let rows = await ledger()
      expect(await storedIds(raids)).toEqual([...raids].sort())
      for (const id of raids) expect(rows.get(id)).toMatchObject({ state: "resolved", resolution: "raid", replays: 1 })
      for (const id of nonRaids) expect(rows.get(id)).toMatchObject({ state: "resolved", resolution: "nonRaid" })
      for (const id of [...lost, ...later]) {
        expect(rows.get(id)).toMatchObject({ state: "pending", replays: 1 })
        // First replay: 15 min, jittered to [7.5, 15] min (random 0.5 → 11.25 min).
        expect(rows.get(id)!.next).toEqual(new Date(t0 + 11.25 * 60_000))
      }
      // Not due again before its time.
      expect((await replay(new Date(t0 + 60_000))).due).toBe(0)

      // A minute later in the simulated world the future ids are published.
      simNow = t0 + 60_000
      const truthLater = later.map((id) => sim.truth.id(id))
      const laterRaids = truthLater.filter((e) => e.state === "published" && e.kind !== "other").map((e) => e.id)
      const laterGone = truthLater.filter((e) => e.state !== "published").map((e) => e.id)
      summary = await replay(new Date(t0 + 3_600_000))
      expect(summary.due).toBe(62)
      expect(summary.stored).toBe(laterRaids.length)
      expect(await storedIds(later)).toEqual([...laterRaids].sort())
      rows = await ledger()
      for (const id of later) expect(rows.get(id)!.state).toBe(laterGone.includes(id) ? "pending" : "resolved")

      // Lost ids: replayed until the budget (3 here) is spent, then terminal and never due again.
      summary = await replay(new Date(t0 + 2 * 86_400_000), { maxReplays: 3 })
      expect(summary.lost).toBe(lost.length + laterGone.length)
      rows = await ledger()
      for (const id of lost) expect(rows.get(id)).toMatchObject({ state: "lost", replays: 3, next: null })
      expect((await replay(new Date(t0 + 30 * 86_400_000))).due).toBe(0)
    },
    SLOW,
  )

  test(
    "withheld ids go to pgcr_blocked as outbox rows; --gap tries the ids of a gap range",
    async () => {
      const start = BigInt(sim.truth.frontier().startId)
      const history = sim.truth.range(start - 6_000n, start - 3_000n)
      const raid = history.find((e) => e.state === "published" && e.kind === "raid")!.id
      sim.controls.closeFloodgates({ fromId: raid })
      try {
        await addLedger([raid], new Date(t0 - 1_000))
        const summary = await replay(new Date(t0))
        expect(summary).toMatchObject({ blocked: 1, stored: 0 })
        const [row] = await db.sql`select state::text, next_retry_at, replays from crawl.missed_pgcr where instance_id = ${raid}`
        expect(row).toEqual({ state: "blocked", next_retry_at: null, replays: 1 })
        const outbox = await db.sql<{ payload: Uint8Array }[]>`select payload from crawl.outbox where topic = 'queue.pgcr_blocked'`
        expect(outbox).toHaveLength(1)
        expect(JSON.parse(new TextDecoder().decode(outbox[0]!.payload))).toMatchObject({
          instanceId: raid,
          crawler: "hades",
          errorCode: 12,
        })
      } finally {
        sim.controls.openFloodgates()
      }

      // A gap range of 40 ids: every published raid of it is stored, the range resolved.
      const gapFrom = start - 2_000n
      const gapTruth = sim.truth.range(gapFrom, gapFrom + 40n)
      await db.sql`insert into crawl.gap_range (crawler, start_id, end_id, reason) values ('atlas', ${gapFrom.toString()}, ${(gapFrom + 40n).toString()}, 'test')`
      const summary = await replay(new Date(t0), { gap: true })
      const gapRaids = gapTruth.filter((e) => e.state === "published" && e.kind !== "other").map((e) => e.id)
      const gapMissing = gapTruth.filter((e) => e.state !== "published")
      expect(summary.gapIds).toBe(40)
      expect(await storedIds(gapTruth.map((e) => e.id))).toEqual([...gapRaids].sort())
      const [gap] = await db.sql`select resolved from crawl.gap_range`
      expect(gap!.resolved).toBe(gapMissing.length === 0)
      // Gap ids that are still not found are not ledgered one by one.
      const [ledgered] =
        await db.sql`select count(*)::int as n from crawl.missed_pgcr where instance_id >= ${gapFrom.toString()} and instance_id < ${(gapFrom + 40n).toString()}`
      expect(ledgered!.n).toBe(0)
    },
    SLOW,
  )

  test(
    "a time budget: no new batch once it is spent; the rest stays due for the next run",
    async () => {
      const start = BigInt(sim.truth.frontier().startId)
      const ids = sim.truth
        .range(start - 9_000n, start - 8_900n)
        .filter((e) => e.state === "published")
        .slice(0, 20)
        .map((e) => e.id)
      await addLedger(ids, new Date(t0 - 1_000))
      let ticks = 0
      const bungie = createJobBungie(jobTestConfig(db.url, sim.url), { client: "hades-test", concurrency: 4 })
      const summary = await replayMissed({
        sql: db.sql,
        bungie,
        defs: loadDefinitions(),
        now: () => new Date(t0),
        limit: 10_000,
        batchSize: 5,
        concurrency: 4,
        gap: false,
        gapMargin: 0,
        maxGapIds: 10_000,
        dryRun: false,
        // The clock moves 10 s per reading (one at the start, one before each batch): two batches
        // start within the 25 s budget, the third would not.
        budgetMs: 25_000,
        elapsedClock: () => 10_000 * ticks++,
      }).finally(() => bungie.close())
      expect(summary).toMatchObject({ due: 20, processed: 10, deferred: 10 })
      const [left] =
        await db.sql`select count(*)::int as n from crawl.missed_pgcr where instance_id = any(${ids}::bigint[]) and state = 'pending'`
      expect(left!.n).toBe(10)
    },
    SLOW,
  )
})

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { encodeRawPgcr } from "../../../lib/database/raw-pgcr-codec.ts"
import { createTestDatabase, type TestDatabase } from "../../../lib/database/testing.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { generateSyntheticInstances } from "../../../lib/pgcr/synthetic.ts"
import type { RaidItem } from "../shared/messages.ts"
import { type BatchOutcome, BatchWriter } from "./batch-writer.ts"

const log = createLogger({ level: "silent" })

function raidItems(count: number, firstInstanceId: string, seed: number): RaidItem[] {
  return generateSyntheticInstances({ count, seed, firstInstanceId, playerPool: 10 }).map((s) => ({
    kind: "raid",
    id: s.instance.instanceId,
    instance: s.instance,
    activityId: s.activityId,
    versionId: s.versionId,
    raw: encodeRawPgcr(s.raw),
    completedAt: Date.parse(s.instance.dateCompleted),
  }))
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

async function writeAll(db: TestDatabase, items: readonly RaidItem[], batchSize: number): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = []
  const writer = new BatchWriter({ sql: db.sql, crawler: "test", batchSize, batchMs: 5, log, onCommitted: (o) => outcomes.push(o) })
  for (const item of items) {
    writer.add(item)
    // Let size-triggered flushes interleave with arrivals, as they do in the worker.
    if (writer.pending === 0) await writer.flushAll()
  }
  await writer.flushAll()
  return outcomes
}

async function readAggregates(db: TestDatabase) {
  const players =
    await db.sql`SELECT instance_id::text, membership_id::text, is_first_clear, sherpas FROM core.instance_player ORDER BY 1, 2`
  const stats =
    await db.sql`SELECT membership_id::text, activity_id, clears, fresh_clears, sherpas, fastest_instance_id::text FROM core.player_stats ORDER BY 1, 2`
  const totals = await db.sql`SELECT membership_id::text, clears, fresh_clears, sherpas, sum_of_best FROM core.player ORDER BY 1`
  return { players: [...players], stats: [...stats], totals: [...totals] }
}

describe("BatchWriter (real Postgres)", () => {
  let a: TestDatabase
  let b: TestDatabase
  beforeAll(async () => {
    ;[a, b] = await Promise.all([createTestDatabase({ migrate: true }), createTestDatabase({ migrate: true })])
  })
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()])
  })

  test("raids, ledger rows and a gap in one transaction; acks after commit; idempotent", async () => {
    const raids = raidItems(12, "17000000100", 7)
    const outcomes: BatchOutcome[] = []
    const writer = new BatchWriter({ sql: a.sql, crawler: "t1", batchSize: 50, batchMs: 10, log, onCommitted: (o) => outcomes.push(o) })
    for (const r of raids) writer.add(r)
    writer.add({
      kind: "missed",
      id: "17000000050",
      reason: "blocked",
      lastResult: "blocked",
      httpStatus: 200,
      errorCode: 12,
      attempts: 1,
      nextRetryAt: Date.now() + 60_000,
    })
    writer.add({
      kind: "missed",
      id: "17000000051",
      reason: "notFound",
      lastResult: "notFound",
      httpStatus: 404,
      errorCode: 1653,
      attempts: 5,
      nextRetryAt: null,
    })
    writer.addGap({ from: 17000000200n, to: 17000000300n, reason: "forward search" })
    await writer.flushAll()
    const resolved = outcomes.flatMap((o) => o.resolved).sort()
    expect(resolved.length).toBe(14)
    expect(outcomes.flatMap((o) => o.gaps)).toHaveLength(1)
    // The store's step times reach the thread (its metrics) with the outcome.
    expect(outcomes.reduce((ms, o) => ms + o.storeStepsMs.staging, 0)).toBeGreaterThan(0)
    expect(outcomes.every((o) => o.storeStepsMs.outbox < o.durationMs)).toBe(true)
    const counted = await a.sql<
      { count: number }[]
    >`SELECT count(*)::int AS count FROM core.instance WHERE instance_id BETWEEN 17000000100 AND 17000000111`
    expect(counted[0]!.count).toBe(12)
    const ledger = await a.sql`SELECT instance_id::text AS id, state, last_result FROM crawl.missed_pgcr ORDER BY 1`
    expect(ledger.map((r) => [r.id, r.state, r.last_result])).toEqual([["17000000051", "lost", "notFound"]])
    // The withheld PGCR left as a pgcr_blocked outbox row in the same transaction.
    const blocked = await a.sql`SELECT convert_from(payload, 'UTF8') AS body FROM crawl.outbox WHERE topic = 'queue.pgcr_blocked'`
    expect(blocked.map((r) => JSON.parse(r.body as string))).toEqual([
      expect.objectContaining({ instanceId: "17000000050", crawler: "t1", errorCode: 12, attempts: 1 }),
    ])
    const gaps = await a.sql`SELECT start_id::text, end_id::text FROM crawl.gap_range`
    expect(gaps.length).toBe(1)

    // The same raids again (a restart refetching its in-flight window): nothing doubles.
    const again: BatchOutcome[] = []
    const second = new BatchWriter({ sql: a.sql, crawler: "t1", batchSize: 5, batchMs: 5, log, onCommitted: (o) => again.push(o) })
    for (const r of raids) second.add(r)
    second.addGap({ from: 17000000200n, to: 17000000300n, reason: "forward search" })
    await second.flushAll()
    expect(again.flatMap((o) => o.resolved)).toHaveLength(12)
    expect(again.reduce((n, o) => n + o.stored, 0)).toBe(0)
    const instances = await a.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM core.instance`
    expect(instances[0]!.n).toBe(12)
    const gapRows = await a.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM crawl.gap_range`
    expect(gapRows[0]!.n).toBe(1)
  })

  test("an outage holds the batch (no storeFailed, whatever its length); a rejection still ends in the ledger", async () => {
    const raids = raidItems(6, "17000200000", 5)
    let refusals = 12
    // The real pool, except that the first transactions find the database gone.
    const flaky = new Proxy(a.sql, {
      get(target, key, receiver) {
        if (key === "begin" && refusals > 0) {
          return () => {
            refusals--
            return Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))
          }
        }
        return Reflect.get(target, key, receiver)
      },
    })
    const holding: boolean[] = []
    const outcomes: BatchOutcome[] = []
    const writer = new BatchWriter({
      sql: flaky,
      crawler: "outage",
      batchSize: 50,
      batchMs: 5,
      log,
      sleep: async () => {},
      onHolding: (h) => holding.push(h),
      onCommitted: (o) => outcomes.push(o),
    })
    for (const r of raids) writer.add(r)
    await writer.flushAll()
    expect(refusals).toBe(0)
    expect(holding).toEqual([true, false])
    expect(outcomes.reduce((n, o) => n + o.stored, 0)).toBe(6)
    const failed = await a.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM crawl.missed_pgcr WHERE crawler = 'outage'`
    expect(failed[0]!.n).toBe(0)

    // A raid the database rejects (an invalid value, four times: the split threshold) ends in the ledger.
    let rejections = 4
    const rejectingSql = new Proxy(a.sql, {
      get(target, key, receiver) {
        if (key === "begin" && rejections > 0) {
          return () => {
            rejections--
            return Promise.reject(Object.assign(new Error("invalid input syntax for type bigint"), { code: "22P02" }))
          }
        }
        return Reflect.get(target, key, receiver)
      },
    })
    const poison = raidItems(1, "17000200100", 6)[0]!
    const rejectedOutcomes: BatchOutcome[] = []
    const rejecting = new BatchWriter({
      sql: rejectingSql,
      crawler: "outage",
      batchSize: 50,
      batchMs: 5,
      log,
      sleep: async () => {},
      onCommitted: (o) => rejectedOutcomes.push(o),
    })
    rejecting.add(poison)
    await rejecting.flushAll()
    const ledgered = await a.sql<{ id: string; last_result: string }[]>`
      SELECT instance_id::text AS id, last_result FROM crawl.missed_pgcr WHERE crawler = 'outage'`
    expect([...ledgered]).toEqual([{ id: "17000200100", last_result: "storeFailed" }])
    expect(rejectedOutcomes.flatMap((o) => o.resolved)).toEqual([17000200100n])
  })

  test("a lone partial batch is written on its own, without waiting for a flush call", async () => {
    let committed: (items: number) => void = () => {}
    const done = new Promise<number>((resolve) => {
      committed = resolve
    })
    const writer = new BatchWriter({
      sql: a.sql,
      crawler: "pace",
      batchSize: 500,
      batchMs: 400,
      gatherMs: 20,
      log,
      onCommitted: (o) => committed(o.items),
    })
    writer.add({
      kind: "missed",
      id: "17000090000",
      reason: "notFound",
      lastResult: "notFound",
      httpStatus: 404,
      errorCode: 1653,
      attempts: 1,
      nextRetryAt: null,
    })
    expect(await done).toBe(1)
    expect(writer.pending).toBe(0)
  })

  test("first clears, sherpas and fastest clears are identical in order and shuffled", async () => {
    const items = raidItems(60, "17000100000", 11)
    const dbOrdered = await createTestDatabase({ migrate: true })
    try {
      await writeAll(dbOrdered, items, 8)
      await writeAll(b, shuffled(items, 3), 7)
      const ordered = await readAggregates(dbOrdered)
      const mixed = await readAggregates(b)
      expect(ordered.players.length).toBeGreaterThan(60)
      expect(ordered.players.some((p) => p.is_first_clear)).toBe(true)
      expect(mixed).toEqual(ordered)
    } finally {
      await dbOrdered.drop()
    }
  })
})

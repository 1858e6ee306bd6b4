/**
 * The pg-writer's logic, independent of the thread it runs in: collects raids and missed-ledger
 * items, flushes by size or age (paced, see `batchMs`), and writes each batch in ONE transaction
 * (instances with their outbox rows via storeInTransaction, ledger upserts, withheld PGCRs as
 * `queue.pgcr_blocked` outbox rows, gap ranges). Only after COMMIT are the ids
 * reported as resolved, so the coordinator's low-water mark never passes an uncommitted id.
 *
 * Failures come in two kinds (lib/database/unreachable.ts):
 * - The database is unreachable (down, restarting, connection lost): nothing can be stored and no
 *   ledger row written either, so the batch is HELD and retried (jittered backoff, capped) for as
 *   long as the outage lasts. Items keep arriving into the next batch meanwhile; the shared writer
 *   queue counter they raise is what stops the fetchers from claiming (backpressure), which bounds
 *   what is held. Once Postgres answers again the batches are stored as if nothing happened.
 * - The database rejects the batch (a data error): retried a few times, then split in halves to
 *   isolate a poison item; a single raid that still fails goes to the ledger as storeFailed, so
 *   nothing is dropped silently. Only such rejections count towards the split.
 */

import { computeBackoffMs } from "../../../lib/backoff.ts"
import { emptyStoreSteps, type StoreItem, type StoreStepsMs, storeInTransaction } from "../../../lib/database/instance-store.ts"
import type { Sql } from "../../../lib/database/postgres.ts"
import type { AnySql } from "../../../lib/database/sql-types.ts"
import { withInstanceStoreLock } from "../../../lib/database/store-lock.ts"
import { isDatabaseUnreachable } from "../../../lib/database/unreachable.ts"
import { enqueueBlockedPgcrs } from "../../../lib/messaging/blocked-outbox.ts"
import type { PgcrBlockedPayload } from "../../../lib/messaging/outbox-topics.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { MissedItem, RaidItem, WriterItem } from "../shared/messages.ts"
import { computeFlushDelay } from "./flush-pacing.ts"
import { insertGap, resolveMissed, upsertMissed } from "./ledger-store.ts"

export interface GapRequest {
  from: bigint
  to: bigint
  reason: string
}

export interface BatchOutcome {
  /** Ids now durably resolved (stored raids, duplicates, ledger rows). */
  resolved: bigint[]
  gaps: GapRequest[]
  items: number
  /** Items that came from fetchers (raids + ledger rows, not gaps): the writer queue shrinks by this. */
  fetcherItems: number
  raids: number
  stored: number
  missed: number
  durationMs: number
  /** Where the instance store's part of the transaction went, per step (zeros for a batch without raids). */
  storeStepsMs: StoreStepsMs
  /** Completion times (epoch ms) of the raids stored in this batch, for lag. */
  completedAt: number[]
  /** The fetcher's attempts for each of those raids (same order). */
  attempts: number[]
}

export interface BatchWriterOptions {
  sql: Sql
  crawler: string
  /** Flush when this many items wait. */
  batchSize: number
  /** Longest wait of a partial batch, and at most one age-triggered flush per this interval (flush-pacing.ts). */
  batchMs: number
  /** Wait for neighbours of an item that arrives after a quiet interval (default 20 ms). */
  gatherMs?: number
  log: Logger
  onCommitted: (outcome: BatchOutcome) => void
  /** Rejections of a batch by the database before splitting it (default 4); outages do not count. */
  attemptsBeforeSplit?: number
  /** Called when the database becomes unreachable (true) and when it answers again (false). */
  onHolding?: (holding: boolean) => void
  sleep?: (ms: number) => Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Retries of a held batch: quick at first (a restart takes seconds), then every ≤ 5 s. */
const OUTAGE_BACKOFF = { baseMs: 250, maxMs: 5_000 }
/** Retries of a batch the database rejected (old behaviour, capped at 10 s). */
const REJECTED_BACKOFF = { baseMs: 500, maxMs: 10_000 }

export class BatchWriter {
  private raids: RaidItem[] = []
  private missed: MissedItem[] = []
  private gaps: GapRequest[] = []
  private oldestAt = 0
  private lastFlushAt = Number.NEGATIVE_INFINITY
  private flushing: Promise<void> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private outageSince: number | null = null
  private outageRetries = 0
  private readonly sleep: (ms: number) => Promise<void>

  constructor(private readonly options: BatchWriterOptions) {
    this.sleep = options.sleep ?? defaultSleep
  }

  get pending(): number {
    return this.raids.length + this.missed.length + this.gaps.length
  }

  /** True while batches are held because the database is unreachable. */
  get holding(): boolean {
    return this.outageSince !== null
  }

  add(item: WriterItem): void {
    if (this.pending === 0) this.oldestAt = Date.now()
    if (item.kind === "raid") this.raids.push(item)
    else this.missed.push(item)
    this.schedule()
  }

  addGap(gap: GapRequest): void {
    if (this.pending === 0) this.oldestAt = Date.now()
    this.gaps.push(gap)
    this.schedule()
  }

  /** Writes everything waiting now (and whatever arrives meanwhile) and resolves when done. */
  async flushAll(): Promise<void> {
    for (;;) {
      if (this.flushing) await this.flushing
      else if (this.pending > 0) await this.startFlush()
      else return
    }
  }

  private schedule(): void {
    if (this.flushing) return
    if (this.pending >= this.options.batchSize) {
      void this.startFlush()
      return
    }
    if (this.timer === null) {
      const wait = computeFlushDelay(
        { oldestAt: this.oldestAt, lastFlushAt: this.lastFlushAt, batchMs: this.options.batchMs, gatherMs: this.options.gatherMs ?? 20 },
        Date.now(),
      )
      this.timer = setTimeout(() => {
        this.timer = null
        if (!this.flushing && this.pending > 0) void this.startFlush()
      }, wait)
    }
  }

  private startFlush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    const raids = this.raids.splice(0, this.options.batchSize)
    const missed = this.missed.splice(0, Math.max(0, this.options.batchSize - raids.length))
    const gaps = this.gaps.splice(0)
    this.oldestAt = Date.now()
    this.lastFlushAt = this.oldestAt
    this.flushing = this.writeWithRetry(raids, missed, gaps).finally(() => {
      this.flushing = null
      if (this.pending > 0) this.schedule()
    })
    return this.flushing
  }

  private async writeWithRetry(raids: RaidItem[], missed: MissedItem[], gaps: GapRequest[]): Promise<void> {
    const attemptsBeforeSplit = this.options.attemptsBeforeSplit ?? 4
    let rejections = 0
    for (;;) {
      try {
        const outcome = await this.writeBatch(raids, missed, gaps)
        this.noteReachable()
        this.options.onCommitted(outcome)
        return
      } catch (error) {
        if (isDatabaseUnreachable(error)) {
          // Neither a store nor a ledger row can be written now: hold the batch and wait.
          this.noteUnreachable(error, raids.length + missed.length)
          await this.sleep(computeBackoffMs(this.outageRetries++, OUTAGE_BACKOFF))
          continue
        }
        this.noteReachable()
        rejections++
        this.options.log.warn("atlas.writer.batch_failed", { attempt: rejections, raids: raids.length, missed: missed.length, error })
        if (rejections >= attemptsBeforeSplit && raids.length > 1) {
          // Isolate a poison item: write halves separately (the ledger and gaps go with the first).
          const half = Math.ceil(raids.length / 2)
          await this.writeWithRetry(raids.slice(0, half), missed, gaps)
          await this.writeWithRetry(raids.slice(half), [], [])
          return
        }
        if (rejections >= attemptsBeforeSplit && raids.length === 1) {
          const item = raids[0]!
          const failed: MissedItem = {
            kind: "missed",
            id: item.id,
            reason: "storeFailed",
            lastResult: `storeFailed: ${String(error).slice(0, 200)}`,
            httpStatus: 200,
            errorCode: 1,
            attempts: rejections,
            nextRetryAt: Date.now() + 15 * 60_000,
          }
          raids = []
          missed = [...missed, failed]
        }
        await this.sleep(computeBackoffMs(rejections - 1, REJECTED_BACKOFF))
      }
    }
  }

  private noteUnreachable(error: unknown, items: number): void {
    if (this.outageSince !== null) return
    this.outageSince = Date.now()
    this.outageRetries = 0
    this.options.log.warn("atlas.writer.database_unreachable", { holding: items + this.pending, error })
    this.options.onHolding?.(true)
  }

  private noteReachable(): void {
    if (this.outageSince === null) return
    this.options.log.info("atlas.writer.database_back", { heldMs: Date.now() - this.outageSince, waiting: this.pending })
    this.outageSince = null
    this.options.onHolding?.(false)
  }

  private async writeBatch(raids: RaidItem[], missed: MissedItem[], gaps: GapRequest[]): Promise<BatchOutcome> {
    const started = performance.now()
    const storeItems: StoreItem[] = raids.map((r) => ({
      instance: r.instance,
      activityId: r.activityId,
      versionId: r.versionId,
      raw: r.raw,
    }))
    const { storedIds, unknownIds, storeStepsMs } = await withInstanceStoreLock(this.options.sql as unknown as AnySql, async (anyTx) => {
      let storedIds: string[] = []
      let settledIds: string[] = []
      let unknownIds: string[] = []
      let storeStepsMs = emptyStoreSteps()
      if (storeItems.length > 0) {
        const report = await storeInTransaction(anyTx, storeItems)
        storeStepsMs = report.stepsMs
        storedIds = report.storedIds
        unknownIds = report.unknownHashIds
        const unknown = new Set(unknownIds)
        settledIds = raids.map((r) => r.id).filter((id) => !unknown.has(id))
      }
      const ledger: MissedItem[] = [...missed]
      // A hash the database does not know (seed behind the crawler's definitions): park it.
      for (const id of unknownIds) {
        ledger.push({
          kind: "missed",
          id,
          reason: "storeFailed",
          lastResult: "storeFailed: hash not in definitions.activity_version",
          httpStatus: 200,
          errorCode: 1,
          attempts: 1,
          nextRetryAt: Date.now() + 60 * 60_000,
        })
      }
      // Withheld PGCRs go to the pgcr_blocked worker through the outbox (to the ledger without a broker).
      await enqueueBlockedPgcrs(
        anyTx,
        ledger.filter((m) => m.reason === "blocked").map((m) => toBlockedPayload(this.options.crawler, m)),
      )
      await upsertMissed(
        anyTx,
        this.options.crawler,
        ledger.filter((m) => m.reason !== "blocked"),
      )
      await resolveMissed(anyTx, settledIds, "raid")
      for (const gap of gaps) await insertGap(anyTx, this.options.crawler, gap.from, gap.to, gap.reason)
      return { storedIds, unknownIds, storeStepsMs }
    })
    const resolved = [...raids.map((r) => BigInt(r.id)), ...missed.map((m) => BigInt(m.id))]
    return {
      resolved,
      gaps,
      items: raids.length + missed.length + gaps.length,
      fetcherItems: raids.length + missed.length,
      raids: raids.length,
      stored: storedIds.length,
      missed: missed.length + unknownIds.length,
      durationMs: performance.now() - started,
      storeStepsMs,
      completedAt: raids.map((r) => r.completedAt),
      attempts: raids.map((r) => r.attempts ?? 1),
    }
  }
}

function toBlockedPayload(crawler: string, item: MissedItem): PgcrBlockedPayload {
  return {
    instanceId: item.id,
    blockedAt: new Date().toISOString(),
    crawler,
    attempts: item.attempts,
    httpStatus: item.httpStatus,
    errorCode: item.errorCode,
    lastResult: item.lastResult,
    retryAt: item.nextRetryAt === null ? null : new Date(item.nextRetryAt).toISOString(),
  }
}

/**
 * pgcr_clickhouse: with a broker configured, the outbox relay publishes ClickHouse work here and
 * this worker is the one ClickHouse writer. Messages are instance ids; the worker gathers them
 * into batches (8,192 messages or 1 s), reads the instances' current state from Postgres (the
 * source of truth: a first-clear or sherpa change re-emits the id and the newest values win) and
 * inserts one JSONEachRow batch. Every message of a batch is acked only after the insert.
 *
 * Idempotent: the `instance` table is a ReplacingMergeTree, so a batch written twice (a crash
 * between insert and ack) collapses. A ClickHouse (or Postgres) outage pauses the queue instead
 * of burning retries: the batch's messages go back to the queue, consumption resumes after a
 * short, jittered wait, and nothing is lost however long the outage lasts.
 */
import { toClickhouseInstanceRow } from "../lib/database/clickhouse-instance-row.ts"
import { loadProcessedInstances } from "../lib/database/instance-loader.ts"
import type { AnySql } from "../lib/database/sql-types.ts"
import type { Outcome, QueueWorker } from "../lib/messaging/queue-worker.ts"
import type { Logger } from "../lib/monitoring/logger.ts"

export interface PgcrClickhouseDeps {
  sql: AnySql
  /** Inserts rows into ClickHouse's `instance` table (one statement, all or nothing). */
  insert(rows: readonly object[]): Promise<void>
  log: Logger
  batchSize?: number
  batchMs?: number
  /** Wait before consuming again after a failed batch (jittered by the runtime). */
  outagePauseMs?: number
}

interface Batch {
  ids: Set<string>
  waiters: ((outcome: Outcome) => void)[]
  timer: ReturnType<typeof setTimeout> | null
}

export interface PgcrClickhouseWorker extends QueueWorker<bigint> {
  /** Batches written so far (tests, logs). */
  readonly batches: number
}

export function createPgcrClickhouseWorker(deps: PgcrClickhouseDeps): PgcrClickhouseWorker {
  const batchSize = deps.batchSize ?? 8_192
  const batchMs = deps.batchMs ?? 1_000
  let current: Batch | null = null
  let batches = 0
  const flushing = new Set<Promise<void>>()

  function flush(batch: Batch): void {
    if (current === batch) current = null
    if (batch.timer) clearTimeout(batch.timer)
    const done = write(batch)
    flushing.add(done)
    void done.finally(() => flushing.delete(done))
  }

  async function write(batch: Batch): Promise<void> {
    let outcome: Outcome
    try {
      const loaded = await loadProcessedInstances(deps.sql, [...batch.ids])
      if (loaded.length > 0) await deps.insert(loaded.map((l) => toClickhouseInstanceRow(l.instance, l.activityId, l.versionId)))
      batches++
      outcome = { kind: "ok" }
      deps.log.debug("pgcr_clickhouse.batch", { messages: batch.waiters.length, rows: loaded.length })
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      deps.log.warn("pgcr_clickhouse.batch_failed", { messages: batch.waiters.length, reason })
      outcome = { kind: "pause", reason: `ClickHouse write failed: ${reason}`, resumeAfterMs: deps.outagePauseMs ?? 5_000 }
    }
    for (const resolve of batch.waiters) resolve(outcome)
  }

  return {
    queue: "pgcr_clickhouse",
    get batches() {
      return batches
    },
    handle(delivery) {
      const batch: Batch = current ?? { ids: new Set(), waiters: [], timer: null }
      current = batch
      batch.ids.add(delivery.value.toString())
      const result = new Promise<Outcome>((resolve) => batch.waiters.push(resolve))
      if (batch.waiters.length >= batchSize) flush(batch)
      else batch.timer ??= setTimeout(() => flush(batch), batchMs)
      return result
    },
    async stop() {
      if (current) flush(current)
      await Promise.allSettled([...flushing])
    },
  }
}

/**
 * The pg-writer thread: receives writer items (msgpackr bytes, buffers transferred) on one
 * MessagePort per fetcher, batches them into one Postgres transaction each (BatchWriter), and
 * reports resolved ids to the coordinator only after COMMIT. It also decrements the shared writer
 * queue counter that fetchers read for backpressure. Closing flushes everything first.
 */
import { STORE_STEPS } from "../../../lib/database/instance-store.ts"
import { createSql } from "../../../lib/database/postgres.ts"
import { defineWorker } from "../../../lib/runtime/worker-thread.ts"
import { observeCrawlSummaryLag } from "../shared/crawl-summary.ts"
import { IdSpace } from "../shared/id-space.ts"
import { decodeWriterItem, type MainToWriter, type PgWriterInit, type WriterToMain } from "../shared/messages.ts"
import { registerAtlasWorkerMetrics } from "../shared/metrics.ts"
import { BatchWriter } from "./batch-writer.ts"

export function runPgWriterThread(): void {
  defineWorker<PgWriterInit, MainToWriter, WriterToMain>((init, scope) => {
    const { log } = scope
    const sql = createSql(init.databaseUrl, { max: 2, applicationName: "atlas-pg-writer" })
    const space = new IdSpace(init.idSpace)
    const metrics = registerAtlasWorkerMetrics(scope.metrics)
    const writer = new BatchWriter({
      sql,
      crawler: init.crawler,
      batchSize: init.batchSize,
      batchMs: init.batchMs,
      log,
      onCommitted(outcome) {
        space.addWriterQueue(-outcome.fetcherItems)
        const now = Date.now()
        metrics.writerBatchSize.observe({ writer: "pg" }, outcome.items)
        metrics.writerBatchDuration.observe({ writer: "pg" }, outcome.durationMs / 1000)
        for (const step of STORE_STEPS) {
          const ms = outcome.storeStepsMs[step]
          if (ms > 0) metrics.storeStepSeconds.inc({ step }, ms / 1000)
        }
        metrics.resolved.inc({ how: "raid" }, outcome.raids)
        metrics.resolved.inc({ how: "missed" }, outcome.missed)
        for (const gap of outcome.gaps) metrics.resolved.inc({ how: "gap" }, Number(gap.to - gap.from))
        outcome.completedAt.forEach((completedAt, i) => {
          if (Number.isFinite(completedAt)) metrics.lag.observe(Math.max(0, (now - completedAt) / 1000))
          observeCrawlSummaryLag(metrics.crawlSummaryLag, "raid", outcome.attempts[i] ?? 1, completedAt, now)
        })
        metrics.queueDepth.set({ queue: "writer" }, space.writerQueue)
        const ids = BigInt64Array.from(outcome.resolved)
        scope.post({ type: "resolved", ids }, [ids.buffer as ArrayBuffer])
        for (const gap of outcome.gaps) scope.post({ type: "gapStored", from: gap.from, to: gap.to })
        scope.post({
          type: "batch",
          items: outcome.items,
          raids: outcome.raids,
          stored: outcome.stored,
          missed: outcome.missed,
          durationMs: outcome.durationMs,
          completedAt: outcome.completedAt,
        })
      },
    })
    for (const port of init.ports) {
      port.onmessage = (message) => {
        try {
          writer.add(decodeWriterItem(message.data as Uint8Array))
        } catch (error) {
          // Bytes we cannot decode are a bug on our side: say so loudly, never swallow.
          log.error("atlas.writer.decode_failed", { error })
          scope.post({ type: "error", reason: `decode failed: ${String(error)}` })
        }
      }
    }
    return {
      onMessage(message) {
        writer.addGap({ from: message.from, to: message.to, reason: message.reason })
      },
      async close() {
        await writer.flushAll()
        for (const port of init.ports) port.close()
        await sql.end({ timeout: 5 })
      },
    }
  })
}

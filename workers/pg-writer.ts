/**
 * pg-writer Worker: receives msgpackr-encoded writer items (transferred buffers) on one
 * MessagePort per fetcher, batches them into one Postgres transaction each (BatchWriter), and
 * reports resolved ids to the coordinator only after COMMIT. Also decrements the shared writer
 * queue counter that fetchers read for backpressure.
 */

import { Registry } from "prom-client"
import { BatchWriter } from "../src/apps/atlas/batch-writer.ts"
import { IdSpace } from "../src/apps/atlas/id-space.ts"
import { decodeWriterItem, type MainToWriter, type WriterToMain } from "../src/apps/atlas/messages.ts"
import { createSql } from "../src/lib/database/postgres.ts"
import { createLogger, type LogLevel } from "../src/lib/monitoring/logger.ts"
import { registerAtlasWorkerMetrics } from "../src/lib/monitoring/metrics.ts"
import { startWorkerMetricsReporter } from "../src/lib/monitoring/worker-metrics.ts"

export interface PgWriterInit {
  type: "init"
  databaseUrl: string
  crawler: string
  batchSize: number
  batchMs: number
  idSpace: SharedArrayBuffer
  ports: MessagePort[]
  logLevel: LogLevel
}

declare const self: Worker

// Signals belong to the coordinator, which drains this thread in order; without a handler here
// the runtime's default action would end the whole process mid-drain.
process.on("SIGINT", () => {})
process.on("SIGTERM", () => {})

const post = (message: WriterToMain, transfer: ArrayBuffer[] = []) => self.postMessage(message, transfer)

self.onmessage = (event: MessageEvent<PgWriterInit>) => {
  if (event.data?.type !== "init") return
  const init = event.data
  const log = createLogger({ level: init.logLevel, fields: { app: "atlas", thread: "pg-writer" } })
  const sql = createSql(init.databaseUrl, { max: 2, applicationName: "atlas-pg-writer" })
  const space = new IdSpace(init.idSpace)
  const registry = new Registry()
  const metrics = registerAtlasWorkerMetrics(registry)
  const reporter = startWorkerMetricsReporter({ registry, post: (snapshot) => post({ type: "metrics", worker: "pg-writer", snapshot }) })
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
      metrics.resolved.inc({ how: "raid" }, outcome.raids)
      metrics.resolved.inc({ how: "missed" }, outcome.missed)
      for (const gap of outcome.gaps) metrics.resolved.inc({ how: "gap" }, Number(gap.to - gap.from))
      for (const completedAt of outcome.completedAt)
        if (Number.isFinite(completedAt)) metrics.lag.observe(Math.max(0, (now - completedAt) / 1000))
      metrics.queueDepth.set({ queue: "writer" }, space.writerQueue)
      const ids = BigInt64Array.from(outcome.resolved)
      post({ type: "resolved", ids }, [ids.buffer as ArrayBuffer])
      for (const gap of outcome.gaps) post({ type: "gapStored", from: gap.from, to: gap.to })
      post({
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
        post({ type: "error", reason: `decode failed: ${String(error)}` })
      }
    }
  }
  self.onmessage = async (control: MessageEvent<MainToWriter>) => {
    const message = control.data
    if (message.type === "gap") writer.addGap({ from: message.from, to: message.to, reason: message.reason })
    else if (message.type === "flush") {
      await writer.flushAll()
      post({ type: "flushed" })
    } else if (message.type === "close") {
      await writer.flushAll()
      await reporter.stop()
      await sql.end({ timeout: 5 })
      post({ type: "closed" })
    }
  }
  post({ type: "ready" })
}

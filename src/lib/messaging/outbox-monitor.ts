/**
 * The outbox backlog as metrics, for whichever app hosts the relays: rows waiting per topic and
 * the age of the oldest one. A backlog that grows (broker or ClickHouse down, a relay not running)
 * is what the "outbox backlog growing" alert watches; reading it from the table, not from relay
 * counters, keeps it true whichever process (or none) relays.
 */
import type { Registry } from "prom-client"
import type { AnySql } from "../database/sql-types.ts"
import type { Logger } from "../monitoring/logger.ts"
import { type MetricTable, registerMetrics } from "../monitoring/metric-table.ts"

export const OUTBOX_METRICS = {
  pending: { kind: "gauge", name: "outbox_pending_rows", help: "Outbox rows not yet delivered, by topic", labels: ["topic"] },
  oldestAge: {
    kind: "gauge",
    name: "outbox_oldest_pending_age_seconds",
    help: "Age of the oldest undelivered outbox row, by topic",
    labels: ["topic"],
  },
} as const satisfies MetricTable

export interface OutboxMonitor {
  /** Reads the backlog once (also called by the timer). */
  sample(): Promise<void>
  stop(): void
}

export function startOutboxMonitor(o: { sql: AnySql; registry: Registry; log: Logger; intervalMs?: number }): OutboxMonitor {
  const metrics = registerMetrics(o.registry, OUTBOX_METRICS)
  let busy = false
  const sample = async () => {
    if (busy) return
    busy = true
    try {
      const rows = await o.sql<{ topic: string; pending: string; oldest_age: number }[]>`
        SELECT topic, count(*)::text AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
        FROM crawl.outbox WHERE delivered_at IS NULL GROUP BY topic`
      metrics.pending.reset()
      metrics.oldestAge.reset()
      for (const row of rows) {
        metrics.pending.set({ topic: row.topic }, Number(row.pending))
        metrics.oldestAge.set({ topic: row.topic }, row.oldest_age)
      }
    } catch (error) {
      // The database being away is already somebody's alert; keep the last values.
      o.log.debug("outbox.monitor.failed", { error })
    } finally {
      busy = false
    }
  }
  void sample()
  const timer = setInterval(() => void sample(), o.intervalMs ?? 5_000)
  return {
    sample,
    stop() {
      clearInterval(timer)
    },
  }
}

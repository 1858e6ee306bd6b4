/**
 * Hermes's metrics, as a table (names from the original's Queue Operations dashboard, which the
 * public status page and the alert rules read too).
 */
import type { Registry } from "prom-client"
import { type MetricsOf, type MetricTable, registerMetrics } from "../../../lib/monitoring/metric-table.ts"

export const HERMES_METRICS = {
  workers: { kind: "gauge", name: "queue_worker_count", help: "Consumers running per queue (0 while paused).", labels: ["queue_name"] },
  depth: { kind: "gauge", name: "queue_depth", help: "Ready messages in the queue (broker view, sampled).", labels: ["queue_name"] },
  processed: {
    kind: "counter",
    name: "queue_messages_processed_total",
    help: "Messages settled per queue by outcome: ok, retry, dead, requeue (no retry burned), pause (back to the queue).",
    labels: ["queue_name", "status"],
  },
  duration: {
    kind: "histogram",
    name: "queue_message_processing_duration_seconds",
    help: "Time from delivery to settlement (handler plus confirmed follow-up publishes).",
    labels: ["queue_name"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  },
  scaling: {
    kind: "counter",
    name: "queue_scaling_decisions_total",
    help: "Autoscaler decisions that changed the worker count, by direction (up, down).",
    labels: ["queue_name", "direction"],
  },
  paused: {
    kind: "gauge",
    name: "queue_paused",
    help: "1 while the queue does not consume, per reason (bungie:<system>, dependency, worker).",
    labels: ["queue_name", "reason"],
  },
  floodgatesRecent: {
    kind: "gauge",
    name: "floodgates_recent_pgcr",
    // An instance id as a float64 sample: exact while ids stay below 2^53 (they are ~1.7e10).
    help: "Newest withheld instance id released by Bungie (read by the public status page).",
    labels: [],
  },
} as const satisfies MetricTable

export type HermesMetrics = MetricsOf<typeof HERMES_METRICS>

export function registerHermesMetrics(registry: Registry): HermesMetrics {
  return registerMetrics(registry, HERMES_METRICS)
}

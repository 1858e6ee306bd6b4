/**
 * Atlas's series, once: names, help, labels, buckets, and which thread records them. Fetcher and
 * writer threads register the "worker" subset in their own registry (the thread runtime posts
 * snapshots); the coordinator registers the "main" subset and merges the snapshots at scrape time.
 * A series recorded in several threads is summed.
 */
import type { Registry } from "prom-client"
import { type MetricsOf, type MetricTable, registerMetrics } from "../../../lib/monitoring/metric-table.ts"

/**
 * Lag = now - completion time, seconds: 0.5 s (live head) up to a week (backfill). Finer near
 * the head, where the controller's targets live (p50 <= 2 s, p99 <= 20 s).
 */
export const LAG_BUCKETS_SECONDS: readonly number[] = [
  0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 900, 1800, 3600, 7200, 21600, 86400, 259200, 604800,
]
/**
 * The original's buckets for pgcr_crawl_summary_lag_seconds (the public status page reads its p50):
 * every 5 s up to 45 s, 60 and 90 s, 5 and 30 min, then 2 h up to 3 days.
 */
export const CRAWL_SUMMARY_LAG_BUCKETS_SECONDS: readonly number[] = [
  5, 10, 15, 20, 25, 30, 35, 40, 45, 60, 90, 300, 1800, 7200, 21600, 43200, 86400, 172800, 259200,
]
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The single table of Atlas series. Keys are how code refers to them. */
export const ATLAS_METRIC_DEFS = {
  requests: {
    kind: "counter",
    name: "atlas_pgcr_requests_total",
    help: "PGCR HTTP attempts by result kind and source address",
    labels: ["result", "address"],
    scope: "worker",
  },
  throttles: {
    kind: "counter",
    name: "atlas_throttles_total",
    help: "Throttle answers by kind (rate, serverThrottled, disabled) and source address",
    labels: ["kind", "address"],
    scope: "worker",
  },
  promoted: {
    kind: "counter",
    name: "atlas_hole_promotions_total",
    help: "Waiting hole retries made due at once because a neighbouring hole was found (a late clump published)",
    labels: [],
    scope: "worker",
  },
  resolved: {
    kind: "counter",
    name: "atlas_resolved_ids_total",
    help: "Ids resolved, by how (raid, nonRaid, missed, gap)",
    labels: ["how"],
    scope: "worker",
  },
  lag: {
    kind: "histogram",
    name: "atlas_lag_seconds",
    help: "Now minus completion time when an id is resolved",
    labels: [],
    buckets: LAG_BUCKETS_SECONDS,
    scope: "worker",
  },
  crawlSummaryLag: {
    kind: "histogram",
    name: "pgcr_crawl_summary_lag_seconds",
    help: "Now minus the activity's completion time when a PGCR is resolved (raids at commit), by status (1 raid, 2 non-raid) and attempts (10+ = ten or more); the public status page reads its p50",
    labels: ["status", "attempts"],
    buckets: CRAWL_SUMMARY_LAG_BUCKETS_SECONDS,
    scope: "worker",
  },
  writerBatchSize: {
    kind: "histogram",
    name: "atlas_writer_batch_items",
    help: "Items per writer transaction",
    labels: ["writer"],
    buckets: BATCH_SIZE_BUCKETS,
    scope: "worker",
  },
  writerBatchDuration: {
    kind: "histogram",
    name: "atlas_writer_batch_seconds",
    help: "Writer transaction duration",
    labels: ["writer"],
    buckets: DURATION_BUCKETS_SECONDS,
    scope: "worker",
  },
  storeStepSeconds: {
    kind: "counter",
    name: "atlas_store_step_seconds_total",
    help: "Time the pg-writer's instance store spent per step (rate() by step: where a batch goes)",
    labels: ["step"],
    scope: "worker",
  },
  queueDepth: {
    kind: "gauge",
    name: "atlas_queue_depth",
    help: "Items waiting, by queue (writer, retry, outbox ...); summed over threads",
    labels: ["queue"],
    scope: "worker",
  },
  share404: {
    kind: "gauge",
    name: "atlas_404_share",
    help: "Decayed share of 404s among first tries near the head",
    labels: [],
    scope: "main",
  },
  resolvedRate: {
    kind: "gauge",
    name: "atlas_resolved_ids_per_second",
    help: "Resolved ids per second (decayed)",
    labels: [],
    scope: "main",
  },
  lowWater: { kind: "gauge", name: "atlas_low_water_mark", help: "Every id below is resolved", labels: [], scope: "main" },
  fleetLowWater: {
    kind: "gauge",
    name: "atlas_fleet_low_water_mark",
    help: "Fleet (--fleet): every id below is resolved, computed from all processes' leases",
    labels: [],
    scope: "main",
  },
  fleetLeases: {
    kind: "gauge",
    name: "atlas_fleet_leases",
    help: "Fleet: leased ranges by state (live, takeable, done)",
    labels: ["state"],
    scope: "main",
  },
  fleetLeader: {
    kind: "gauge",
    name: "atlas_fleet_leader",
    help: "Fleet: 1 while this process holds the leader lease (follows the head)",
    labels: [],
    scope: "main",
  },
  frontier: { kind: "gauge", name: "atlas_frontier_estimate", help: "Estimated newest published id", labels: [], scope: "main" },
  ceiling: { kind: "gauge", name: "atlas_claim_ceiling", help: "Fetchers claim only ids below this", labels: [], scope: "main" },
  leadSeconds: {
    kind: "gauge",
    name: "atlas_claim_lead_seconds",
    help: "Claim lead past the frontier estimate",
    labels: [],
    scope: "main",
  },
  limiterCeiling: {
    kind: "gauge",
    name: "atlas_limiter_ceiling_rps",
    help: "Learned per-address rate ceiling",
    labels: ["address"],
    scope: "main",
  },
  limiterRate: {
    kind: "gauge",
    name: "atlas_limiter_window_rps",
    help: "Per-address request rate over the rolling window",
    labels: ["address"],
    scope: "main",
  },
  limiterConcurrency: {
    kind: "gauge",
    name: "atlas_limiter_concurrency_limit",
    help: "Concurrency limit following latency",
    labels: [],
    scope: "main",
  },
  limiterInFlight: { kind: "gauge", name: "atlas_limiter_in_flight", help: "Requests holding a limiter permit", labels: [], scope: "main" },
  limiterPaused: {
    kind: "gauge",
    name: "atlas_limiter_paused",
    help: "1 while a global pause (disabled, game-server throttle) is in force",
    labels: [],
    scope: "main",
  },
} as const satisfies MetricTable

export type AtlasWorkerMetrics = MetricsOf<typeof ATLAS_METRIC_DEFS, "worker">
export type AtlasMainMetrics = MetricsOf<typeof ATLAS_METRIC_DEFS, "main">

/** Register the series a fetcher or writer thread records. */
export function registerAtlasWorkerMetrics(registry: Registry): AtlasWorkerMetrics {
  return registerMetrics(registry, ATLAS_METRIC_DEFS, "worker")
}

/** Register the series the coordinator records (controller and limiter state). */
export function registerAtlasMainMetrics(registry: Registry): AtlasMainMetrics {
  return registerMetrics(registry, ATLAS_METRIC_DEFS, "main")
}

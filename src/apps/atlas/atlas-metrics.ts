/**
 * Atlas's Prometheus metrics, kept in the main thread's registry. Workers do not run registries
 * of their own: fetchers and the writer post compact stats a few times a second and the
 * coordinator turns them into these series (one aggregation point, no per-id messages). Limiter
 * series are read from the shared limiter's snapshot at scrape time.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client"
import type { LimiterSnapshot } from "../../lib/ratelimit/index.ts"

export interface AtlasGaugeState {
  lowWater: bigint
  cursor: bigint
  ceiling: bigint
  frontier: bigint | null
  share404: number
  leadSec: number
  writerQueue: number
  retryBacklog: number
  inFlight: number
  fetchers: number
}

export class AtlasMetrics {
  readonly registry = new Registry()
  readonly requests = new Counter({ name: "atlas_pgcr_requests_total", help: "PGCR attempts by result kind", labelNames: ["result"], registers: [this.registry] })
  readonly resolved = new Counter({ name: "atlas_resolved_ids_total", help: "Ids resolved, by how", labelNames: ["how"], registers: [this.registry] })
  readonly lag = new Histogram({
    name: "atlas_lag_seconds", help: "Now minus completion time when a PGCR is resolved (raids: when committed)",
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 86400, 604800], registers: [this.registry],
  })
  readonly batchSize = new Histogram({ name: "atlas_writer_batch_items", help: "Items per pg-writer transaction", buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000], registers: [this.registry] })
  readonly batchDuration = new Histogram({ name: "atlas_writer_batch_seconds", help: "pg-writer transaction duration", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] })
  readonly gaps = new Counter({ name: "atlas_gap_ids_total", help: "Ids recorded as gap ranges by the forward search", registers: [this.registry] })
  readonly clickhouseRows = new Counter({ name: "atlas_clickhouse_relayed_total", help: "Outbox rows relayed by the ch-writer", labelNames: ["topic"], registers: [this.registry] })
  private readonly gauges: Record<keyof AtlasGaugeState, Gauge>
  private readonly limiterCeiling = new Gauge({ name: "atlas_limiter_ceiling_rps", help: "Learned per-address rate ceiling", labelNames: ["address"], registers: [this.registry] })
  private readonly limiterRate = new Gauge({ name: "atlas_limiter_window_rps", help: "Per-address request rate over the rolling window", labelNames: ["address"], registers: [this.registry] })
  private readonly limiterSent = new Gauge({ name: "atlas_limiter_sent", help: "Requests sent per address since start", labelNames: ["address"], registers: [this.registry] })
  private readonly limiterThrottled = new Gauge({ name: "atlas_limiter_throttled", help: "Throttle answers per address since start", labelNames: ["address"], registers: [this.registry] })
  private readonly limiterConcurrency = new Gauge({ name: "atlas_limiter_concurrency_limit", help: "Concurrency limit following latency", registers: [this.registry] })
  private readonly limiterInFlight = new Gauge({ name: "atlas_limiter_in_flight", help: "Requests holding a permit", registers: [this.registry] })
  private readonly limiterPaused = new Gauge({ name: "atlas_limiter_paused", help: "1 while a global pause is in force", registers: [this.registry] })

  constructor(private readonly addressNames: readonly string[]) {
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [this.registry] })
    this.gauges = {
      lowWater: gauge("atlas_low_water_mark", "Every id below is resolved"),
      cursor: gauge("atlas_cursor", "Next id to be claimed"),
      ceiling: gauge("atlas_claim_ceiling", "Fetchers do not claim at or past this id"),
      frontier: gauge("atlas_frontier_estimate", "Estimated newest published id"),
      share404: gauge("atlas_404_share", "Decayed share of 404s among first tries"),
      leadSec: gauge("atlas_claim_lead_seconds", "Claim lead past the frontier estimate"),
      writerQueue: gauge("atlas_writer_queue", "Items handed to the pg-writer, not yet committed"),
      retryBacklog: gauge("atlas_retry_backlog", "Ids waiting in fetchers' retry timers"),
      inFlight: gauge("atlas_fetch_in_flight", "Requests in flight reported by fetchers"),
      fetchers: gauge("atlas_fetchers", "Fetcher threads running"),
    }
  }

  setState(state: AtlasGaugeState): void {
    for (const key of Object.keys(this.gauges) as (keyof AtlasGaugeState)[]) {
      const value = state[key]
      if (value === null) continue
      const n = typeof value === "bigint" ? Number(value) : value
      if (Number.isFinite(n)) this.gauges[key].set(n)
    }
  }

  setLimiter(snapshot: LimiterSnapshot): void {
    for (const address of snapshot.addresses) {
      const label = { address: this.addressNames[address.index] ?? String(address.index) }
      this.limiterCeiling.set(label, address.ceiling)
      this.limiterRate.set(label, address.windowRate)
      this.limiterSent.set(label, address.sent)
      this.limiterThrottled.set(label, address.throttled)
    }
    this.limiterConcurrency.set(snapshot.concurrencyLimit)
    this.limiterInFlight.set(snapshot.inFlight)
    this.limiterPaused.set(snapshot.pausedUntil > snapshot.now ? 1 : 0)
  }
}

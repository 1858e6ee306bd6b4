/**
 * Atlas's /metrics, built on the shared definitions (src/lib/monitoring/metrics.ts): fetcher and
 * writer Workers record the "worker" series in their own registries and post snapshots; the
 * coordinator records the "main" series (controller and limiter state) and the aggregator merges
 * everything at scrape time.
 */
import { Registry } from "prom-client"
import {
  createWorkerMetricsAggregator,
  type MetricsSnapshot,
  type WorkerMetricsAggregator,
} from "../../../lib/monitoring/worker-metrics.ts"
import type { LimiterSnapshot } from "../../../lib/ratelimit/index.ts"
import { type AtlasMainMetrics, registerAtlasMainMetrics } from "../shared/metrics.ts"

/** A fleet process's view of the fleet (GET /status `fleet`, and the atlas_fleet_* gauges). Ids as decimal strings. */
export interface FleetStatus {
  owner: string
  leader: boolean
  /** Every id below is resolved, from all leases; null before anything was leased. */
  lowWater: string | null
  /** Exclusive top of everything leased. */
  top: string | null
  live: number
  takeable: number
  done: number
  owners: string[]
  /** This process's range: [start, end), resumed from `from`. */
  range: { start: string; end: string; from: string; takeover: boolean } | null
}

export interface AtlasGaugeState {
  lowWater: bigint
  ceiling: bigint
  frontier: bigint | null
  share404: number
  resolvedPerSec: number
  leadSec: number
}

export class AtlasMetrics {
  readonly registry = new Registry()
  readonly aggregator: WorkerMetricsAggregator
  private readonly main: AtlasMainMetrics

  constructor(
    private readonly addressNames: readonly string[],
    private readonly fleetStatus?: () => FleetStatus | null,
  ) {
    this.main = registerAtlasMainMetrics(this.registry)
    this.aggregator = createWorkerMetricsAggregator(this.registry)
  }

  acceptWorker(workerId: string, snapshot: unknown): void {
    this.aggregator.accept(workerId, snapshot as MetricsSnapshot)
  }

  setState(state: AtlasGaugeState): void {
    const set = (gauge: { set(value: number): void }, value: number | bigint | null) => {
      if (value === null) return
      const n = typeof value === "bigint" ? Number(value) : value
      if (Number.isFinite(n)) gauge.set(n)
    }
    set(this.main.lowWater, state.lowWater)
    set(this.main.ceiling, state.ceiling)
    set(this.main.frontier, state.frontier)
    set(this.main.share404, state.share404)
    set(this.main.resolvedRate, state.resolvedPerSec)
    set(this.main.leadSeconds, state.leadSec)
  }

  /** The fleet's state (a --fleet process): global low-water mark, lease counts, leadership. */
  setFleet(fleet: FleetStatus): void {
    if (fleet.lowWater !== null) this.main.fleetLowWater.set(Number(BigInt(fleet.lowWater)))
    this.main.fleetLeases.set({ state: "live" }, fleet.live)
    this.main.fleetLeases.set({ state: "takeable" }, fleet.takeable)
    this.main.fleetLeases.set({ state: "done" }, fleet.done)
    this.main.fleetLeader.set(fleet.leader ? 1 : 0)
  }

  setLimiter(snapshot: LimiterSnapshot): void {
    for (const address of snapshot.addresses) {
      const label = { address: this.addressNames[address.index] ?? String(address.index) }
      this.main.limiterCeiling.set(label, address.ceiling)
      this.main.limiterRate.set(label, address.windowRate)
    }
    this.main.limiterConcurrency.set(snapshot.concurrencyLimit)
    this.main.limiterInFlight.set(snapshot.inFlight)
    this.main.limiterPaused.set(snapshot.pausedUntil > snapshot.now ? 1 : 0)
  }

  metrics(): Promise<string> {
    const fleet = this.fleetStatus?.() ?? null
    if (fleet) this.setFleet(fleet)
    return this.aggregator.metrics()
  }
}

/**
 * The main thread's memory for `GET /status`: completion lags of resolved PGCRs (raids from the
 * pg-writer's committed batches, non-raids from the fetchers' interval samples) and the fetchers'
 * answers of the last minute. It listens to the same thread messages the coordinator does and
 * keeps nothing unbounded. Injected clock.
 */
import type { FetcherToMain, WriterToMain } from "../shared/messages.ts"
import type { CoordinatorStatus } from "./coordinator.ts"
import { LagSeries, type LagSeriesOptions } from "./lag-series.ts"
import { type AtlasStatusReport, buildStatusReport, judgeBungie } from "./status-report.ts"

/** Answers older than this no longer count for Bungie's availability. */
const RESULTS_WINDOW_MS = 60_000
/** Fetchers post a few intervals a second each; this bounds the list whatever the fetcher count. */
const MAX_RESULT_INTERVALS = 4_000

export interface StatusTrackerOptions {
  crawler: string
  now?: () => number
  lagSeries?: Partial<LagSeriesOptions>
}

export class StatusTracker {
  private readonly lag: LagSeries
  private readonly intervals: { at: number; results: Record<string, number> }[] = []
  private readonly now: () => number

  constructor(private readonly o: StatusTrackerOptions) {
    this.lag = new LagSeries(o.lagSeries)
    this.now = o.now ?? Date.now
  }

  onWriterMessage(message: WriterToMain): void {
    if (message.type !== "batch") return
    const now = this.now()
    this.lag.add(
      now,
      message.completedAt.filter((t) => Number.isFinite(t)).map((t) => Math.max(0, (now - t) / 1000)),
    )
  }

  onFetcherMessage(message: FetcherToMain): void {
    if (message.type !== "stats") return
    const now = this.now()
    this.lag.add(now, message.stats.lagSamples)
    this.intervals.push({ at: now, results: message.stats.results })
    while (this.intervals.length > MAX_RESULT_INTERVALS || (this.intervals[0] && this.intervals[0].at < now - RESULTS_WINDOW_MS)) {
      this.intervals.shift()
    }
  }

  /** The fetchers' answers of the last minute, by result kind. */
  recentResults(): Record<string, number> {
    const since = this.now() - RESULTS_WINDOW_MS
    const out: Record<string, number> = {}
    for (const interval of this.intervals) {
      if (interval.at < since) continue
      for (const [kind, n] of Object.entries(interval.results)) out[kind] = (out[kind] ?? 0) + n
    }
    return out
  }

  report(status: Pick<CoordinatorStatus, "lowWater" | "decision">, pauseReason: string): AtlasStatusReport {
    const now = this.now()
    const d = status.decision
    return buildStatusReport({
      crawler: this.o.crawler,
      source: "atlas",
      now,
      lagPoints: this.lag.points(now),
      lagWindowMs: this.lag.windowMs,
      share404: d?.share404 ?? null,
      bungie: judgeBungie(pauseReason, this.recentResults()),
      lowWaterMark: status.lowWater,
      frontierEstimate: d?.frontierEstimate ?? null,
      resolvedPerSecond: d?.resolvedPerSec ?? null,
    })
  }
}

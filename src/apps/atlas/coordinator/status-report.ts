/**
 * `GET /status` on atlas's metrics port: the crawler's state for people, as JSON. Ids are decimal
 * strings. `bun run tool status` prints the same report as a table, from a live atlas or rebuilt
 * from Prometheus. Pure: everything it reads is passed in.
 */
import { type LagPoint, type LagSummaryOptions, summarizeLag } from "./lag-series.ts"

/**
 * How the public status page reads the lag series: points at or under 2.5 s dropped, offline when
 * the newest point is 30 s old, weighted mean of the newest 6, caught up at or under 60 s.
 */
export const PUBLIC_PAGE_LAG_READING: Partial<LagSummaryOptions> = {
  minLagSeconds: 2.5,
  staleMs: 30_000,
  recentPoints: 6,
  caughtUpSeconds: 60,
}
export const PUBLIC_PAGE_WINDOW_MS = 5 * 60_000
export const PUBLIC_PAGE_STEP_MS = 15_000

/** What Bungie looks like from the crawler over the last minute. */
export type BungieAvailability = "available" | "disabled" | "throttled" | "failing" | "unknown"

export interface AtlasStatusReport {
  crawler: string
  generatedAt: string
  /** Where the report came from: atlas itself, or Prometheus (the tool). */
  source: "atlas" | "prometheus"
  lag: {
    /** Completion lag p50 (now minus the activity's end), weighted towards the newest points. */
    p50Seconds: number | null
    windowSeconds: number
    points: number
    trendSecondsPerMinute: number | null
  }
  /** false: no PGCR resolved recently (the public status page then says "Offline"). */
  online: boolean
  caughtUp: boolean | null
  catchUpEtaSeconds: number | null
  /** Share of 404s among first tries near the head (the controller keeps it near its target). */
  share404: number | null
  bungie: BungieAvailability
  lowWaterMark: string | null
  frontierEstimate: string | null
  /** frontierEstimate - lowWaterMark: ids not yet known resolved below the head. */
  behindIds: string | null
  resolvedPerSecond: number | null
}

/** Result kinds of the fetchers' answers in the last minute (ok, notFound, blocked, disabled, throttled, transient ...). */
export type RecentResults = Readonly<Record<string, number>>

/** Reads availability from the limiter's pause and the last minute's answers. */
export function judgeBungie(pauseReason: string, recent: RecentResults): BungieAvailability {
  const count = (...kinds: string[]) => kinds.reduce((n, k) => n + (recent[k] ?? 0), 0)
  const answered = count("ok", "notFound", "blocked", "badFormat")
  if (pauseReason === "disabled" || (count("disabled") > 0 && answered === 0)) return "disabled"
  if (pauseReason === "serverThrottled") return "throttled"
  if (answered > 0) return "available"
  if (count("throttled") > 0) return "throttled"
  if (count("transient", "fatal") > 0) return "failing"
  return "unknown"
}

export interface StatusInputs {
  crawler: string
  source: AtlasStatusReport["source"]
  now: number
  lagPoints: readonly LagPoint[]
  lagWindowMs: number
  lagOptions?: Partial<LagSummaryOptions>
  share404: number | null
  bungie: BungieAvailability
  lowWaterMark: bigint | null
  frontierEstimate: bigint | null
  resolvedPerSecond: number | null
}

const finiteOrNull = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null)

export function buildStatusReport(i: StatusInputs): AtlasStatusReport {
  const lag = summarizeLag(i.lagPoints, i.now, i.lagOptions)
  const behind =
    i.frontierEstimate !== null && i.lowWaterMark !== null
      ? i.frontierEstimate > i.lowWaterMark
        ? i.frontierEstimate - i.lowWaterMark
        : 0n
      : null
  return {
    crawler: i.crawler,
    generatedAt: new Date(i.now).toISOString(),
    source: i.source,
    lag: {
      p50Seconds: lag.p50Seconds,
      windowSeconds: Math.round(i.lagWindowMs / 1000),
      points: lag.points,
      trendSecondsPerMinute: lag.trendSecondsPerMinute,
    },
    online: lag.online,
    caughtUp: lag.caughtUp,
    catchUpEtaSeconds: lag.catchUpEtaSeconds,
    share404: finiteOrNull(i.share404),
    bungie: i.bungie,
    lowWaterMark: i.lowWaterMark?.toString() ?? null,
    frontierEstimate: i.frontierEstimate?.toString() ?? null,
    behindIds: behind?.toString() ?? null,
    resolvedPerSecond: finiteOrNull(i.resolvedPerSecond),
  }
}

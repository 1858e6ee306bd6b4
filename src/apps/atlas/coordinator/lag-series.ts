/**
 * Completion lag over the last minutes, for people: a p50 per 15 s step (the public status page's
 * resolution), and what those points say, read the way the public RaidHub status page reads its
 * Prometheus series: a weighted mean of the newest points (newer weigh more), "caught up" at or
 * under 60 s, otherwise a catch-up time from the trend. Pure: clocks are passed in.
 */

export interface LagPoint {
  /** Epoch ms of the step's start. */
  at: number
  p50Seconds: number
}

export interface LagSeriesOptions {
  stepMs: number
  windowMs: number
  /** Samples kept per step (the p50 of a bounded sample is plenty; memory stays bounded). */
  maxSamplesPerStep: number
}

export const DEFAULT_LAG_SERIES: LagSeriesOptions = { stepMs: 15_000, windowMs: 5 * 60_000, maxSamplesPerStep: 2_000 }

export class LagSeries {
  private readonly o: LagSeriesOptions
  private readonly steps = new Map<number, number[]>()

  constructor(options: Partial<LagSeriesOptions> = {}) {
    this.o = { ...DEFAULT_LAG_SERIES, ...options }
  }

  get windowMs(): number {
    return this.o.windowMs
  }

  /** Lags (seconds) of PGCRs resolved at `now`. */
  add(now: number, lagsSeconds: readonly number[]): void {
    if (lagsSeconds.length === 0) return
    const step = Math.floor(now / this.o.stepMs) * this.o.stepMs
    let samples = this.steps.get(step)
    if (samples === undefined) {
      samples = []
      this.steps.set(step, samples)
      this.prune(now)
    }
    for (const lag of lagsSeconds) {
      if (!Number.isFinite(lag)) continue
      if (samples.length < this.o.maxSamplesPerStep) samples.push(lag)
      // Past the bound, replace at random so late samples of the step still count.
      else samples[Math.floor(Math.random() * samples.length)] = lag
    }
  }

  /** One point per step inside the window that saw a PGCR, oldest first. */
  points(now: number): LagPoint[] {
    this.prune(now)
    return [...this.steps.entries()]
      .filter(([, samples]) => samples.length > 0)
      .sort(([a], [b]) => a - b)
      .map(([at, samples]) => ({ at, p50Seconds: median(samples) }))
  }

  private prune(now: number): void {
    for (const at of this.steps.keys()) if (at < now - this.o.windowMs) this.steps.delete(at)
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface LagSummaryOptions {
  /** At or under this p50 the crawler is caught up (the public status page: 60 s). */
  caughtUpSeconds: number
  /** Newest points averaged (the public status page: 6, i.e. 90 s at 15 s steps). */
  recentPoints: number
  /** Points at or under this are ignored (the public status page: 2.5 s; 0 keeps all). */
  minLagSeconds: number
  /** The newest point must be younger than this, or the crawler reads as offline. */
  staleMs: number
}

export const DEFAULT_LAG_SUMMARY: LagSummaryOptions = { caughtUpSeconds: 60, recentPoints: 6, minLagSeconds: 0, staleMs: 60_000 }

export interface LagSummary {
  /** Weighted p50 of the newest points; null when there is no recent point. */
  p50Seconds: number | null
  /** false = no recent point (the public page says "Offline"). */
  online: boolean
  caughtUp: boolean | null
  /** Seconds until the p50 reaches the caught-up threshold at the present trend; null when caught up or not catching up. */
  catchUpEtaSeconds: number | null
  /** Least-squares slope of the points, seconds of lag per minute (negative = catching up). */
  trendSecondsPerMinute: number | null
  points: number
}

export function summarizeLag(points: readonly LagPoint[], now: number, options: Partial<LagSummaryOptions> = {}): LagSummary {
  const o = { ...DEFAULT_LAG_SUMMARY, ...options }
  const kept = points.filter((p) => p.p50Seconds > o.minLagSeconds && Number.isFinite(p.p50Seconds))
  const newest = kept.at(-1)
  if (newest === undefined || now - newest.at >= o.staleMs) {
    return { p50Seconds: null, online: false, caughtUp: null, catchUpEtaSeconds: null, trendSecondsPerMinute: null, points: kept.length }
  }
  const recent = kept.slice(-o.recentPoints)
  let weighted = 0
  let weights = 0
  recent.forEach((p, i) => {
    weighted += p.p50Seconds * (i + 1)
    weights += i + 1
  })
  const p50 = weighted / weights
  const slopePerMs = fitSlope(kept)
  const caughtUp = p50 <= o.caughtUpSeconds
  const catchUpEtaSeconds = !caughtUp && slopePerMs !== null && slopePerMs < 0 ? (p50 - o.caughtUpSeconds) / (-slopePerMs * 1000) : null
  return {
    p50Seconds: p50,
    online: true,
    caughtUp,
    catchUpEtaSeconds,
    trendSecondsPerMinute: slopePerMs === null ? null : slopePerMs * 60_000,
    points: kept.length,
  }
}

/** Least-squares slope (seconds of lag per ms); null under two points. */
function fitSlope(points: readonly LagPoint[]): number | null {
  if (points.length < 2) return null
  const n = points.length
  const t0 = points[0]!.at
  let sx = 0
  let sy = 0
  for (const p of points) {
    sx += p.at - t0
    sy += p.p50Seconds
  }
  const mx = sx / n
  const my = sy / n
  let num = 0
  let den = 0
  for (const p of points) {
    const dx = p.at - t0 - mx
    num += dx * (p.p50Seconds - my)
    den += dx * dx
  }
  return den === 0 ? null : num / den
}

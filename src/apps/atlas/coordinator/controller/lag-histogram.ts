/**
 * Sliding-window lag histogram (pure): log-spaced buckets from 100 ms to 8 days, kept as a ring
 * of time segments so percentiles describe the last `segments * segmentMs` only. Bounded memory
 * (segments x ~90 counters) whatever the traffic; quantiles are accurate to one bucket (12 %).
 */

export interface LagHistogramOptions {
  segmentMs: number
  segments: number
}

export interface LagHistogram {
  options: LagHistogramOptions
  /** counts[segment][bucket] */
  counts: Float64Array[]
  /** Which absolute segment number each ring entry holds. */
  segmentIds: number[]
}

const MIN_LAG_MS = 100
const MAX_LAG_MS = 8 * 24 * 3_600_000
const GROWTH = 1.12
export const LAG_BUCKET_COUNT = Math.ceil(Math.log(MAX_LAG_MS / MIN_LAG_MS) / Math.log(GROWTH)) + 2

/** Upper bound (ms) of bucket b; bucket 0 holds everything <= 100 ms, the last is unbounded. */
export function computeBucketUpperMs(b: number): number {
  return b >= LAG_BUCKET_COUNT - 1 ? Number.POSITIVE_INFINITY : MIN_LAG_MS * GROWTH ** b
}

function computeBucket(lagMs: number): number {
  if (!(lagMs > MIN_LAG_MS)) return 0
  return Math.min(LAG_BUCKET_COUNT - 1, Math.ceil(Math.log(lagMs / MIN_LAG_MS) / Math.log(GROWTH)))
}

export function createLagHistogram(options: LagHistogramOptions = { segmentMs: 10_000, segments: 6 }): LagHistogram {
  return {
    options,
    counts: Array.from({ length: options.segments }, () => new Float64Array(LAG_BUCKET_COUNT)),
    segmentIds: Array.from({ length: options.segments }, () => Number.NEGATIVE_INFINITY),
  }
}

export function observeLag(h: LagHistogram, now: number, lagMs: number): void {
  const seg = Math.floor(now / h.options.segmentMs)
  const i = seg % h.options.segments
  if (h.segmentIds[i] !== seg) {
    h.segmentIds[i] = seg
    h.counts[i]!.fill(0)
  }
  h.counts[i]![computeBucket(lagMs)]! += 1
}

/** Merged counts of the segments still inside the window at `now`. */
function mergeLive(h: LagHistogram, now: number): { merged: Float64Array; total: number } {
  const seg = Math.floor(now / h.options.segmentMs)
  const merged = new Float64Array(LAG_BUCKET_COUNT)
  let total = 0
  for (let i = 0; i < h.options.segments; i++) {
    if (h.segmentIds[i]! <= seg - h.options.segments) continue
    const c = h.counts[i]!
    for (let b = 0; b < LAG_BUCKET_COUNT; b++) {
      merged[b]! += c[b]!
      total += c[b]!
    }
  }
  return { merged, total }
}

/** Quantile q (0..1) of lag in ms (geometric middle of its bucket); NaN without data. */
export function computeLagQuantile(h: LagHistogram, now: number, q: number): number {
  const { merged, total } = mergeLive(h, now)
  if (total === 0) return Number.NaN
  const rank = q * total
  let seen = 0
  for (let b = 0; b < LAG_BUCKET_COUNT; b++) {
    seen += merged[b]!
    if (seen >= rank && merged[b]! > 0) {
      if (b === 0) return MIN_LAG_MS
      if (b === LAG_BUCKET_COUNT - 1) return MAX_LAG_MS
      return computeBucketUpperMs(b) / Math.sqrt(GROWTH)
    }
  }
  return MAX_LAG_MS
}

export function countLagObservations(h: LagHistogram, now: number): number {
  return mergeLive(h, now).total
}

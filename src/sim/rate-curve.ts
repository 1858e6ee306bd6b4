// How many ids the counter has handed out since the anchor, as a pure function of time.
//
// Each hour since the anchor holds exactly H = rate × 3600 × E[burst factor] ids; inside the hour
// they are spread over the seconds by weights (bursts per 10-s block, ±noise per second), so the
// count at any time is O(1) after one hour's 3,600 weights are computed: no replay from the
// anchor, however far back it lies. Rate changes at run time start a new segment that continues
// from the count reached, so history already served never changes.
import { Lru } from "./lru.ts"
import { unitFor } from "./random.ts"

export interface RateShape {
  ratePerSecond: number
  burstChance: number
  burstFactor: [number, number]
  rateNoise: number
}

interface Segment {
  /** ms since the anchor where this segment starts. */
  fromMs: number
  /** Real-valued count at fromMs. */
  base: number
  shape: RateShape
  key: string
  /** F(shape, fromMs), cached. */
  offset: number
}

const HOUR_MS = 3_600_000
const SALT_BURST = 13
const SALT_BURST_FACTOR = 14
const SALT_NOISE = 15

function shapeKey(s: RateShape): string {
  return `${s.burstChance}|${s.burstFactor[0]}|${s.burstFactor[1]}|${s.rateNoise}`
}

function copyShape(s: RateShape): RateShape {
  return { ...s, burstFactor: [s.burstFactor[0], s.burstFactor[1]] }
}

function sameShape(a: RateShape, b: RateShape): boolean {
  return (
    a.ratePerSecond === b.ratePerSecond &&
    a.burstChance === b.burstChance &&
    a.burstFactor[0] === b.burstFactor[0] &&
    a.burstFactor[1] === b.burstFactor[1] &&
    a.rateNoise === b.rateNoise
  )
}

export function validateShape(s: RateShape): void {
  if (!(s.ratePerSecond > 0)) throw new Error(`sim: world.ratePerSecond must be > 0, got ${s.ratePerSecond}`)
  if (!(s.rateNoise >= 0 && s.rateNoise < 1)) throw new Error(`sim: world.rateNoise must be in [0, 1), got ${s.rateNoise}`)
  if (!(s.burstFactor[0] > 0 && s.burstFactor[1] >= s.burstFactor[0])) {
    throw new Error(`sim: world.burstFactor must be [lo, hi] with 0 < lo <= hi, got ${JSON.stringify(s.burstFactor)}`)
  }
}

export class RateCurve {
  private readonly segments: Segment[] = []
  /** key|hour → cumulative weights over the hour's 3,600 seconds (length 3,601). */
  private readonly hours = new Lru<string, Float64Array>(96)

  constructor(
    private readonly seed: number,
    shape: RateShape,
  ) {
    validateShape(shape)
    this.segments.push({ fromMs: 0, base: 0, shape: copyShape(shape), key: shapeKey(shape), offset: 0 })
  }

  get current(): RateShape {
    return this.segments[this.segments.length - 1]!.shape
  }

  /** Starts a new segment at `atMs` (since the anchor) when the shape changed. */
  retune(shape: RateShape, atMs: number): void {
    const last = this.segments[this.segments.length - 1]!
    if (sameShape(last.shape, shape)) return
    validateShape(shape)
    const from = Math.max(atMs, last.fromMs)
    const next = { fromMs: from, base: this.value(from), shape: copyShape(shape), key: shapeKey(shape), offset: 0 }
    next.offset = this.cumulative(next, from)
    this.segments.push(next)
  }

  /** Real-valued count at `ms` since the anchor (0 before it). */
  value(ms: number): number {
    if (ms <= 0) return 0
    const seg = this.segmentAt(ms)
    return seg.base + this.cumulative(seg, ms) - seg.offset
  }

  /** Ids created by `ms` since the anchor. */
  count(ms: number): number {
    return Math.floor(this.value(ms))
  }

  /** The time (ms since the anchor) at which the curve reaches `target` (> 0). */
  timeOf(target: number): number {
    let seg = this.segments[0]!
    for (const s of this.segments) {
      if (s.base <= target) seg = s
      else break
    }
    const hourly = this.hourly(seg.shape)
    const f = target - seg.base + seg.offset
    let h = Math.max(0, Math.floor(f / hourly))
    // Guard float edges: the hour whose range holds f.
    if ((h + 1) * hourly <= f) h++
    const weights = this.weightsOf(seg.key, seg.shape, h)
    const total = weights[3600]!
    const r = Math.min(total, Math.max(0, ((f - h * hourly) / hourly) * total))
    let lo = 0
    let hi = 3599
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (weights[mid]! <= r) lo = mid
      else hi = mid - 1
    }
    const span = weights[lo + 1]! - weights[lo]!
    const frac = span > 0 ? (r - weights[lo]!) / span : 0
    return Math.max(seg.fromMs, h * HOUR_MS + (lo + frac) * 1000)
  }

  private segmentAt(ms: number): Segment {
    for (let i = this.segments.length - 1; i > 0; i--) {
      if (this.segments[i]!.fromMs <= ms) return this.segments[i]!
    }
    return this.segments[0]!
  }

  private hourly(s: RateShape): number {
    const meanFactor = 1 + s.burstChance * ((s.burstFactor[0] + s.burstFactor[1]) / 2 - 1)
    return s.ratePerSecond * 3600 * meanFactor
  }

  /** F(shape, ms): the count the shape alone would reach at ms since the anchor. */
  private cumulative(seg: Segment, ms: number): number {
    const hourly = this.hourly(seg.shape)
    const h = Math.floor(ms / HOUR_MS)
    const inHour = ms - h * HOUR_MS
    const weights = this.weightsOf(seg.key, seg.shape, h)
    const sec = Math.min(3599, Math.floor(inHour / 1000))
    const frac = (inHour - sec * 1000) / 1000
    const partial = weights[sec]! + (weights[sec + 1]! - weights[sec]!) * frac
    return h * hourly + (hourly * partial) / weights[3600]!
  }

  private weightsOf(key: string, s: RateShape, hour: number): Float64Array {
    const cacheKey = `${key}|${hour}`
    const cached = this.hours.get(cacheKey)
    if (cached) return cached
    const weights = new Float64Array(3601)
    const [lo, hi] = s.burstFactor
    let factor = 1
    for (let sec = 0; sec < 3600; sec++) {
      const k = hour * 3600 + sec
      if (sec % 10 === 0) {
        const block = Math.floor(k / 10)
        factor = unitFor(this.seed, block, SALT_BURST) < s.burstChance ? lo + (hi - lo) * unitFor(this.seed, block, SALT_BURST_FACTOR) : 1
      }
      const noise = 1 + s.rateNoise * (2 * unitFor(this.seed, k, SALT_NOISE) - 1)
      weights[sec + 1] = weights[sec]! + Math.max(1e-6, factor * noise)
    }
    this.hours.set(cacheKey, weights)
    return weights
  }
}

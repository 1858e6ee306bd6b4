/**
 * A time-bounded window of numeric samples (lag seconds) with quantiles, for the status line
 * and the controller. Bounded in count too, so a burst cannot grow memory: when full, the
 * oldest samples go first.
 */

export class SampleWindow {
  private values: number[] = []
  private times: number[] = []

  constructor(
    private readonly windowMs: number,
    private readonly maxSamples = 20_000,
  ) {}

  add(value: number, now: number): void {
    this.values.push(value)
    this.times.push(now)
    if (this.values.length > this.maxSamples) {
      const drop = this.values.length - this.maxSamples
      this.values.splice(0, drop)
      this.times.splice(0, drop)
    }
  }

  addMany(values: readonly number[], now: number): void {
    for (const value of values) this.add(value, now)
  }

  get size(): number {
    return this.values.length
  }

  /** Drops samples older than the window. */
  prune(now: number): void {
    let drop = 0
    while (drop < this.times.length && now - this.times[drop]! > this.windowMs) drop++
    if (drop > 0) {
      this.values.splice(0, drop)
      this.times.splice(0, drop)
    }
  }

  /** Quantile q in [0, 1] of the samples in the window; null when empty. */
  quantile(q: number, now: number): number | null {
    this.prune(now)
    if (this.values.length === 0) return null
    const sorted = [...this.values].sort((a, b) => a - b)
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
    return sorted[index]!
  }
}

/** Quantile of a plain list (for reports), null when empty. */
export function quantileOf(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

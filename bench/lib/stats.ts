/**
 * Distribution summaries for benchmarks. Benchmarks report distributions and ratios measured in
 * one run on one machine; they never assert a time.
 */

export interface Distribution {
  count: number
  min: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

/** Nearest-rank percentile over an ascending array. */
function pickPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1))
  return sorted[index]!
}

export function summarize(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((acc, v) => acc + v, 0)
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: pickPercentile(sorted, 50),
    p90: pickPercentile(sorted, 90),
    p99: pickPercentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  }
}

/** Ratio a/b that stays readable when b is zero or missing. */
export function computeRatio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN
  return a / b
}

/**
 * Median of the paired ratios a[i]/b[i]: measurements taken back to back share the machine's
 * momentary load, so their ratio is steadier than the ratio of two totals on a busy machine.
 */
export function computePairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = []
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = computeRatio(a[i]!, b[i]!)
    if (Number.isFinite(r)) ratios.push(r)
  }
  return summarize(ratios).p50
}

/**
 * Distribution summaries for benchmarks. Benchmarks report distributions and ratios measured in
 * one run on one machine; they never assert a time.
 */
import { quantileOfSorted } from "../../src/lib/math/percentile.ts"

export interface Distribution {
  count: number
  min: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export function summarize(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((acc, v) => acc + v, 0)
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: quantileOfSorted(sorted, 0.5),
    p90: quantileOfSorted(sorted, 0.9),
    p99: quantileOfSorted(sorted, 0.99),
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

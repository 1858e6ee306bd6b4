/**
 * The one percentile rule of the project (reports, benchmarks, tests): nearest rank. The q-quantile
 * of n samples is the ceil(q·n)-th smallest, so p50 of [1..100] is 50 and p99 is 99, and every
 * answer is one of the samples. (Live lag quantiles come from the controller's decaying histogram
 * instead: lag-histogram.ts.)
 */

/** Nearest-rank quantile (q in [0, 1]) of an ascending array; NaN when empty. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

/** Nearest-rank quantile (q in [0, 1]) of unsorted samples; NaN when empty. */
export function quantileOf(values: readonly number[], q: number): number {
  return quantileOfSorted(
    [...values].sort((a, b) => a - b),
    q,
  )
}

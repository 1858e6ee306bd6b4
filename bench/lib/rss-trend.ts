/**
 * Growth measures for the soak's RSS series (pure, unit-tested).
 *
 * Issue 14 asks that RSS not grow after a 5-minute warm-up by more than 5 %. One instantaneous
 * sample of a process with four or five garbage-collected heaps and, in the quick start, an
 * embedded database sits anywhere in a band the collectors' timing sets (±5–8 % of Atlas's level,
 * measured over 30-minute soaks: bench/README.md). Growth is a change of the level, so:
 *
 * - medianTrend (the target's measure): the median of the last third of the samples after the
 *   warm-up against the median of the first third. A leak moves it (the resolution tracker's
 *   `Set<bigint>` read +13.9 %, Atlas alone without the heap trim +6.2 %); a sawtooth does not.
 * - crestAboveWarmup (reported beside it): the highest sample after the warm-up against the one
 *   sample at its end, the measure the soak used before. It reads the band's width whenever the
 *   warm-up's sample falls in a trough, with or without a trend.
 * - bandWidth: (highest − lowest) ÷ median after the warm-up, the sawtooth's width itself.
 */
import { quantileOf } from "../../src/lib/math/percentile.ts"

/** (median of the last third ÷ median of the first third) − 1; NaN with fewer than 3 samples. */
export function medianTrend(valuesAfterWarmup: readonly number[]): number {
  const third = Math.floor(valuesAfterWarmup.length / 3)
  if (third === 0) return Number.NaN
  const first = quantileOf(valuesAfterWarmup.slice(0, third), 0.5)
  const last = quantileOf(valuesAfterWarmup.slice(-third), 0.5)
  return last / first - 1
}

/** (highest value at or after warmupS ÷ the first value at or after it) − 1; NaN if none. */
export function crestAboveWarmup(series: readonly (readonly [number, number])[], warmupS: number): number {
  const after = series.filter(([at]) => at >= warmupS).map(([, value]) => value)
  if (after.length === 0) return Number.NaN
  return Math.max(...after) / after[0]! - 1
}

/** (highest − lowest) ÷ median; NaN for no values. */
export function bandWidth(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  return (Math.max(...values) - Math.min(...values)) / quantileOf(values, 0.5)
}

/**
 * Growth measures for the soak's RSS series (pure, unit-tested).
 *
 * - growthAfterWarmup: issue 14's measure, the highest value after the warm-up against the value
 *   at its end. On one instantaneous sample per minute a garbage collection just before or after
 *   the warm-up's sample moves it by ±10 %; on each minute's high-water mark (the soak reads
 *   VmHWM and resets it every sample) both sides are peaks, and only rising peaks grow it.
 * - medianTrend: the median of the last third after the warm-up against the first third's, a
 *   leak detector the sawtooth does not fool; printed beside the growth, not instead of it.
 */
import { quantileOf } from "../../src/lib/math/percentile.ts"

/** (highest value at or after warmupS ÷ the first value at or after it) − 1; NaN if none. */
export function growthAfterWarmup(series: readonly (readonly [number, number])[], warmupS: number): number {
  const after = series.filter(([at]) => at >= warmupS).map(([, value]) => value)
  if (after.length === 0) return Number.NaN
  return Math.max(...after) / after[0]! - 1
}

/** (median of the last third ÷ median of the first third) − 1; NaN with fewer than 3 samples. */
export function medianTrend(valuesAfterWarmup: readonly number[]): number {
  const third = Math.floor(valuesAfterWarmup.length / 3)
  if (third === 0) return Number.NaN
  const first = quantileOf(valuesAfterWarmup.slice(0, third), 0.5)
  const last = quantileOf(valuesAfterWarmup.slice(-third), 0.5)
  return last / first - 1
}

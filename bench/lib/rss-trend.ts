/**
 * A leak detector for RSS samples that the collectors' sawtooth does not fool (pure, unit-tested):
 * the median of the last third of the samples after the warm-up against the median of the first
 * third. The soak's target (issue 14) compares the peak after the warm-up with the one sample at
 * its end, which a garbage collection just before or after that sample moves by ±10 %; this trend
 * is printed beside it, not instead of it.
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

/**
 * Quantiles of a plain list of samples, for reports (test and benchmark output). The live lag
 * quantiles come from the controller's decaying histogram instead.
 */

/** Quantile q in [0, 1] (nearest rank), null when empty. */
export function quantileOf(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

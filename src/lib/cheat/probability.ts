/**
 * How the heuristics turn evidence into probabilities and combine them. Signals are treated as
 * independent: "any of them" is 1 - Π(1 - p), "at least two of them" is 1 - P(none) - P(exactly one).
 */

/** A decreasing (k > 0) or increasing (k < 0) logistic step centred on x0. */
export function logistic(k: number, x0: number, x: number): number {
  return 1 / (1 + Math.exp(k * (x - x0)))
}

/**
 * The chance that at least one independent event happens: 1 - Π(1 - p). Values above 1 count as 1;
 * negative values are allowed and lower the result (the account signals use them as evidence of
 * innocence); the result never drops below 0. NaN (a signal computed from broken data) counts as
 * no evidence rather than spoiling the other signals.
 */
export function combineAny(...probabilities: number[]): number {
  let none = 1
  for (const p of probabilities) if (!Number.isNaN(p)) none *= 1 - Math.min(1, p)
  return Math.max(0, 1 - none)
}

/** The chance that at least two of the independent events happen, in one pass (NaN counts as 0). */
export function probabilityAtLeastTwo(probabilities: readonly number[]): number {
  let none = 1
  let exactlyOne = 0
  for (const raw of probabilities) {
    const p = clampProbability(raw)
    exactlyOne = exactlyOne * (1 - p) + none * p
    none *= 1 - p
  }
  return clampProbability(1 - none - exactlyOne)
}

/** Into [0, 1]; NaN (no usable evidence, e.g. 0/0 from malformed data) becomes 0. */
export function clampProbability(p: number): number {
  if (!(p > 0)) return 0
  return Math.min(p, 1)
}

/** a / b, or `fallback` when b is 0 or the result is not finite (malformed counts never poison a score). */
export function divideOr(a: number, b: number, fallback: number): number {
  if (b === 0) return fallback
  const q = a / b
  return Number.isFinite(q) ? q : fallback
}

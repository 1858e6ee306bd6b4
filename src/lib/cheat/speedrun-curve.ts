/** Evaluating a raid's speedrun curve (see SpeedrunCurve in heuristics-types.ts). */
import type { SpeedrunCurve } from "./heuristics-types.ts"

/**
 * The estimated world record in seconds `daysSinceRelease` days after release, or null when the
 * curve gives no usable estimate there. log10(x^d) is computed as d·log10(x) (same value, no
 * overflow); negative days (clock skew around a release) count as day 0.
 */
export function estimateWorldRecordSeconds(curve: SpeedrunCurve, daysSinceRelease: number): number | null {
  const days = Number.isFinite(daysSinceRelease) ? Math.max(0, daysSinceRelease) : 0
  const base = days + curve.c
  if (!(base > 0)) return null
  const record = curve.a - curve.b * curve.d * Math.log10(base)
  return record > 0 ? record : null
}

/**
 * The record expected for a team of `bodies` effective players (total time played over duration,
 * at most 6): smaller teams are slower, by (6 / bodies)^0.2.
 */
export function adjustRecordForTeam(recordSeconds: number, bodies: number): number {
  const effective = Math.min(6, bodies)
  return recordSeconds * (6 / effective) ** 0.2
}

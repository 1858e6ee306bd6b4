/**
 * The logistic curves of the heuristics, `1 / (1 + e^(k·(x - x0)))`, with the original's
 * parameters. k > 0: high below x0 (e.g. a clear time ratio well under 1 is suspicious);
 * k < 0: high above x0 (e.g. many kills per minute).
 */
import { logistic } from "./probability.ts"

export interface Curve {
  k: number
  x0: number
}

export const Curves = {
  /** Player kills per minute. */
  killsPerMinute: { k: -0.15, x0: 40 },
  /** Player grenade kills minus melee kills per minute. */
  grenadeMinusMelee: { k: -0.35, x0: 20 },
  /** Player super kills per minute. */
  superKillsPerMinute: { k: -0.75, x0: 6 },
  /** Player heavy-ammo kill share, scaled by heavy kills per second. */
  heavyAmmoShare: { k: -13, x0: 0.8 },
  /** Player kill share over the share expected from time played. */
  killShare: { k: -7, x0: 1.48 },
  /** Fresh clear time over the (player-count adjusted) expected record. */
  completionTime: { k: 40, x0: 0.93 },
  /** Pantheon clear time over the version's floor: softer, speedruns legitimately hug the floor. */
  pantheonCompletionTime: { k: 18, x0: 0.72 },
  /** Total instance kills over the raid's minimum. */
  totalInstanceKills: { k: 20, x0: 0.83 },
  /** Damps the kills signal of raids with a low minimum (less room to tell cheats apart). */
  totalInstanceKillsScale: { k: -0.04, x0: 60 },
  /** Sum of time played over the duration (time dilation). */
  timeDilation: { k: 12, x0: 0.6 },
  /** Checkpoint clear time over the rule's minimum time. */
  lowmanCheckpointDuration: { k: 15, x0: 0.82 },
  /** Damping of a did-not-finish player's probability by time played. */
  notFinishedDamping: { k: 0.0052, x0: 220 },
} as const satisfies Record<string, Curve>

export function evaluateCurve(curve: Curve, x: number): number {
  return logistic(curve.k, curve.x0, x)
}

/**
 * The lowman signal: a completed run by fewer players than the raid allows, by exactly the
 * minimum (rare but possible), or outside the period in which that team size was possible.
 */

import { isInsideWindow } from "./bad-data-windows.ts"
import { CheatBit } from "./bits.ts"
import { Curves, evaluateCurve } from "./curves.ts"
import type { ActivityHeuristic, LowmanExemption, LowmanRule } from "./heuristics-types.ts"
import { combineAny } from "./probability.ts"
import { NO_SIGNAL, type SignalResult } from "./signal.ts"
import type { CheatInstance } from "./types.ts"

/** Near-certain: a team size nobody has legitimately achieved. */
export const IMPOSSIBLE_LOWMAN_PROBABILITY = 0.995

/** Lowman rules apply to completed runs only; fresh runs use the fresh rules, others the checkpoint rules. */
export function evaluateLowman(
  instance: CheatInstance,
  heuristic: ActivityHeuristic,
  exemptions: readonly LowmanExemption[],
): SignalResult {
  if (!instance.completed) return NO_SIGNAL
  const playerCount = instance.playerCount > 0 ? instance.playerCount : instance.players.length
  // No players at all is broken data, not evidence of a lowman.
  if (playerCount <= 0) return NO_SIGNAL
  const fresh = instance.fresh === true
  if (isLowmanExempt(instance, fresh, exemptions)) return NO_SIGNAL
  const ruleSet = fresh ? heuristic.freshLowman : heuristic.checkpointLowman
  const list = ruleSet.byVersion.get(instance.versionId) ?? ruleSet.anyVersion
  return applyRules(list, instance, playerCount, heuristic, !fresh)
}

function isLowmanExempt(instance: CheatInstance, fresh: boolean, exemptions: readonly LowmanExemption[]): boolean {
  return exemptions.some(
    (e) =>
      e.activityId === instance.activityId &&
      (e.versionId === null || e.versionId === instance.versionId) &&
      (e.runs === "any" || !fresh) &&
      (e.window === null || isInsideWindow(e.window, instance.dateCompleted)),
  )
}

function applyRules(
  list: readonly LowmanRule[],
  instance: CheatInstance,
  playerCount: number,
  heuristic: ActivityHeuristic,
  checkpoint: boolean,
): SignalResult {
  const tooFewBit = checkpoint ? CheatBit.TooFewPlayersCheckpoint : CheatBit.TooFewPlayersFresh
  const clearName = checkpoint ? heuristic.checkpointName : `fresh ${heuristic.name}`
  for (const rule of list) {
    let bits = heuristic.raidBit
    const fast = checkpoint && rule.minTimeSeconds > 0 && instance.durationSeconds < rule.minTimeSeconds
    if (playerCount < rule.minPlayers) {
      if (fast) bits |= CheatBit.FastLowmanCheckpoint
      return {
        probability: IMPOSSIBLE_LOWMAN_PROBABILITY,
        bits: bits | tooFewBit,
        explanation: `cleared ${clearName} with ${playerCount} players, expected at least ${rule.minPlayers}`,
      }
    }
    if (playerCount !== rule.minPlayers) continue

    // A flawless lowman is rarer still: the chance grows to its square root.
    let chance = instance.flawless === true ? Math.sqrt(rule.cheatChance) : rule.cheatChance
    if (fast) {
      bits |= CheatBit.FastLowmanCheckpoint
      chance = combineAny(chance, evaluateCurve(Curves.lowmanCheckpointDuration, instance.durationSeconds / rule.minTimeSeconds))
    }
    let explanation: string | null = null
    if (chance > 0.05) {
      bits |= CheatBit.UnlikelyLowman
      explanation = `cleared ${instance.flawless === true ? "flawless " : ""}${clearName} with exactly ${playerCount} players in ${formatMinutes(instance.durationSeconds)} (${chance.toFixed(3)})`
    }
    if (rule.allowedWindows.length === 0 || rule.allowedWindows.some((w) => isInsideWindow(w, instance.dateCompleted))) {
      return { probability: chance, bits, explanation }
    }
    return {
      probability: IMPOSSIBLE_LOWMAN_PROBABILITY,
      bits: bits | tooFewBit,
      explanation: `cleared ${clearName} with ${playerCount} players outside the period that team size was possible`,
    }
  }
  return NO_SIGNAL
}

function formatMinutes(seconds: number): string {
  return `${(seconds / 60).toFixed(2)} min`
}

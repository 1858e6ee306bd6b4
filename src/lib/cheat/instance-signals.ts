/**
 * Instance-level signals besides the lowman rules: time dilation, a fresh clear faster than the
 * raid's speedrun curve allows (or below a Pantheon floor), and too few kills for a clear.
 */
import { CheatBit } from "./bits.ts"
import { Curves, evaluateCurve } from "./curves.ts"
import type { ActivityHeuristic } from "./heuristics-types.ts"
import { combineAny } from "./probability.ts"
import { NO_SIGNAL, type SignalResult } from "./signal.ts"
import { adjustRecordForTeam, estimateWorldRecordSeconds } from "./speedrun-curve.ts"
import type { CheatInstance } from "./types.ts"

/** Bungie's cap on a character's time played (a signed 16-bit value): a capped time says nothing. */
export const CAPPED_TIME_PLAYED_SECONDS = 32_767

export interface InstanceTotals {
  /** Sum over players of their time played. */
  timePlayedSeconds: number
  kills: number
  /** Some character's time played hit Bungie's cap. */
  hasCappedTime: boolean
}

export function sumInstanceTotals(instance: CheatInstance): InstanceTotals {
  let timePlayedSeconds = 0
  let kills = 0
  let hasCappedTime = false
  for (const player of instance.players) {
    timePlayedSeconds += player.timePlayedSeconds
    for (const character of player.characters) {
      kills += character.kills
      if (character.timePlayedSeconds >= CAPPED_TIME_PLAYED_SECONDS) hasCappedTime = true
    }
  }
  return { timePlayedSeconds, kills, hasCappedTime }
}

/**
 * The players together played less than the run lasted: the clock ran faster than the players
 * (a lag-switch or time-manipulation cheat). Short runs, huge lobbies, capped and missing times are left out.
 */
export function evaluateTimeDilation(instance: CheatInstance, totals: InstanceTotals): SignalResult {
  if (instance.durationSeconds <= 360 || instance.playerCount >= 50 || totals.hasCappedTime) return NO_SIGNAL
  // No recorded time at all (no players, or rows without times) is missing data, not a fast clock.
  if (!(totals.timePlayedSeconds > 0)) return NO_SIGNAL
  const ratio = totals.timePlayedSeconds / instance.durationSeconds
  if (!(ratio < 1)) return NO_SIGNAL
  return {
    probability: evaluateCurve(Curves.timeDilation, ratio),
    bits: CheatBit.TimeDilation,
    explanation: `players' time (${totals.timePlayedSeconds} s) is ${((1 - ratio) * 100).toFixed(2)} % shorter than the run (${instance.durationSeconds} s)`,
  }
}

/** A completed fresh run against the raid's speedrun curve, adjusted for the team's size. */
export function evaluateTooFast(instance: CheatInstance, heuristic: ActivityHeuristic, totals: InstanceTotals): SignalResult {
  if (!heuristic.speedrunCurve || instance.durationSeconds <= 0) return NO_SIGNAL
  const record = estimateWorldRecordSeconds(heuristic.speedrunCurve, instance.daysSinceRelease)
  if (record === null) return NO_SIGNAL
  // Effective bodies: total time played over duration. Without any time data (broken rows) the
  // original divided by zero and called every such run too fast; fall back to the head count.
  const bodies =
    totals.timePlayedSeconds > 0
      ? totals.timePlayedSeconds / instance.durationSeconds
      : Math.max(1, instance.playerCount, instance.players.length)
  const expected = adjustRecordForTeam(record, bodies)
  // 25 s of grace: loading in and the final cutscene trigger.
  const ratio = (instance.durationSeconds - 25) / expected
  return {
    probability: evaluateCurve(Curves.completionTime, ratio),
    bits: CheatBit.TooFast,
    explanation: `cleared ${heuristic.name} in ${formatClock(instance.durationSeconds)}, record expected ${formatClock(record)} (${formatClock(expected)} for this team)`,
  }
}

/** A completed fresh run below the activity's minimum plausible duration (Pantheon). */
export function evaluateDurationFloor(instance: CheatInstance, heuristic: ActivityHeuristic): SignalResult {
  const floor = heuristic.freshDurationFloor
  const base = floor?.secondsByVersion.get(instance.versionId)
  if (!floor || base === undefined) return NO_SIGNAL
  let floorSeconds = base
  for (const skull of instance.skullHashes) floorSeconds += floor.bonusSecondsBySkull.get(skull) ?? 0
  if (instance.durationSeconds >= floorSeconds) return NO_SIGNAL
  const ratio = Math.max(0, instance.durationSeconds) / floorSeconds
  return {
    probability: evaluateCurve(Curves.pantheonCompletionTime, ratio),
    bits: CheatBit.TooFast,
    explanation: `cleared fresh ${heuristic.name} in ${formatClock(instance.durationSeconds)}, implausible below ${formatClock(floorSeconds)}`,
  }
}

/** The speed signal of a completed fresh run: the curve and the floor, whichever apply. */
export function evaluateSpeed(instance: CheatInstance, heuristic: ActivityHeuristic, totals: InstanceTotals): SignalResult {
  const curve = evaluateTooFast(instance, heuristic, totals)
  const floor = evaluateDurationFloor(instance, heuristic)
  // As the original: the floor only counts once it passes the reporting threshold.
  if (floor.probability <= 0.05) return curve
  if (curve.explanation === null) return floor
  return {
    probability: combineAny(curve.probability, floor.probability),
    bits: CheatBit.TooFast,
    explanation: `${curve.explanation}; ${floor.explanation}`,
  }
}

/**
 * Too few kills for a completed run. Raids with a low minimum are harder to judge, so the signal
 * is scaled down for them; very low counts are pushed up.
 */
export function evaluateTotalKills(heuristic: ActivityHeuristic, totals: InstanceTotals, fresh: boolean): SignalResult {
  const minKills = fresh ? heuristic.minFreshKills : heuristic.minCheckpointKills
  if (minKills <= 0) return NO_SIGNAL
  const kills = Math.max(0, totals.kills)
  let probability =
    evaluateCurve(Curves.totalInstanceKills, (kills + 1) / (minKills + 1)) * evaluateCurve(Curves.totalInstanceKillsScale, minKills + 1)
  // The original capped the checkpoint boost with the *fresh* minimum; the checkpoint's own is meant.
  const boostBelow = Math.min(minKills, fresh ? 30 : 12)
  if (kills < boostBelow) probability **= 0.5 + kills / (2 * boostBelow)
  return {
    probability,
    bits: CheatBit.TotalInstanceKills,
    explanation: `cleared ${fresh ? `fresh ${heuristic.name}` : heuristic.checkpointName} with ${kills} kills, expected at least ${minKills}`,
  }
}

function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`
}

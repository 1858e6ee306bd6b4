/**
 * The per-instance cheat check: a pure function of the stored instance and the heuristics.
 *
 * Instance probability = 1 − Π(1 − p) over the instance signals (too few kills, too fast, time
 * dilation, lowman), then combined the same way with P(at least two players cheated). Each player
 * gets their own signals plus their participation-weighted share of the instance signals; solo
 * runs merge the two results.
 */
import { overlapsWindow } from "./bad-data-windows.ts"
import { CheatBit } from "./bits.ts"
import { Curves, evaluateCurve } from "./curves.ts"
import type { ActivityHeuristic, Heuristics } from "./heuristics-types.ts"
import { evaluateSpeed, evaluateTimeDilation, evaluateTotalKills, type InstanceTotals, sumInstanceTotals } from "./instance-signals.ts"
import { evaluateLowman } from "./lowman.ts"
import { computeParticipation } from "./participation.ts"
import { evaluatePlayerSignals, PLAYER_BIT_THRESHOLD, tallyPlayer } from "./player-signals.ts"
import { clampProbability, combineAny, probabilityAtLeastTwo } from "./probability.ts"
import { INSTANCE_REPORT_THRESHOLD } from "./reporting.ts"
import { NO_SIGNAL, type SignalResult } from "./signal.ts"
import type { CheatInstance, CheatPlayer, CheatVerdict, PlayerVerdict, SkipReason } from "./types.ts"

export function checkInstance(instance: CheatInstance, heuristics: Heuristics, version: string): CheatVerdict {
  const skipped = findSkipReason(instance, heuristics)
  if (skipped) {
    return { instanceId: instance.instanceId, version, instanceProbability: 0, instanceBits: 0n, explanations: [], players: [], skipped }
  }
  const heuristic = heuristics.activities.get(instance.activityId) ?? heuristics.fallback
  const totals = sumInstanceTotals(instance)
  const signals = evaluateInstanceSignals(instance, heuristic, heuristics, totals)

  let instanceBits = heuristic.raidBit
  const explanations: string[] = [describeRun(instance)]
  for (const signal of [signals.kills, signals.speed, signals.dilation, signals.lowman]) {
    if (signal.probability > INSTANCE_REPORT_THRESHOLD) {
      instanceBits |= signal.bits
      if (signal.explanation) explanations.push(signal.explanation)
    }
  }
  let instanceProbability = combineAny(
    signals.kills.probability,
    signals.speed.probability,
    signals.dilation.probability,
    signals.lowman.probability,
  )

  const players = instance.players.map((player) => checkPlayer(player, instance, heuristic, signals, totals))
  const twoPlus = probabilityAtLeastTwo(players.map((p) => p.probability))
  if (twoPlus > INSTANCE_REPORT_THRESHOLD) {
    instanceBits |= CheatBit.TwoPlusCheaters
    explanations.push(`several players cheating in ${heuristic.name} (${twoPlus.toFixed(3)})`)
  }
  instanceProbability = clampProbability(combineAny(instanceProbability, twoPlus))

  const verdict: CheatVerdict = {
    instanceId: instance.instanceId,
    version,
    instanceProbability,
    instanceBits,
    explanations,
    players,
    skipped: null,
  }
  return mergeSolo(instance, verdict)
}

function findSkipReason(instance: CheatInstance, heuristics: Heuristics): SkipReason | null {
  const window = heuristics.badDataWindows.find((w) => overlapsWindow(w, instance.dateStarted, instance.dateCompleted))
  if (window) return { kind: "badDataWindow", window: window.name }
  if (!instance.completed && heuristics.incompleteExcludedActivityIds.has(instance.activityId)) return { kind: "incompleteExcluded" }
  return null
}

interface InstanceSignals {
  kills: SignalResult
  speed: SignalResult
  dilation: SignalResult
  lowman: SignalResult
}

function evaluateInstanceSignals(
  instance: CheatInstance,
  heuristic: ActivityHeuristic,
  heuristics: Heuristics,
  totals: InstanceTotals,
): InstanceSignals {
  const dilation = evaluateTimeDilation(instance, totals)
  if (!instance.completed) return { kills: NO_SIGNAL, speed: NO_SIGNAL, dilation, lowman: NO_SIGNAL }
  const fresh = instance.fresh === true
  return {
    kills: evaluateTotalKills(heuristic, totals, fresh),
    speed: fresh ? evaluateSpeed(instance, heuristic, totals) : NO_SIGNAL,
    dilation,
    lowman: evaluateLowman(instance, heuristic, heuristics.lowmanExemptions),
  }
}

function checkPlayer(
  player: CheatPlayer,
  instance: CheatInstance,
  heuristic: ActivityHeuristic,
  signals: InstanceSignals,
  totals: InstanceTotals,
): PlayerVerdict {
  const tally = tallyPlayer(player)
  const own = evaluatePlayerSignals(player, tally, totals)
  const participation = computeParticipation({
    playerCount: instance.playerCount,
    playerKills: tally.kills,
    instanceKills: totals.kills,
    playerTimeSeconds: player.timePlayedSeconds,
    instanceTimeSeconds: totals.timePlayedSeconds,
  })
  // The raid bit tags every player flag too, so flags can be cleared per raid.
  let bits = heuristic.raidBit | own.bits
  const explanations = [...own.explanations]
  const shares: number[] = [own.probability]
  for (const [signal, label] of [
    [signals.kills, "total instance kills"],
    [signals.speed, "too-fast run"],
    [signals.dilation, "time dilation"],
    [signals.lowman, "improbable lowman"],
  ] as const) {
    const share = participation * signal.probability
    shares.push(share)
    if (share > PLAYER_BIT_THRESHOLD) {
      bits |= signal.bits
      explanations.push(`${label} participation: ${share.toFixed(4)}`)
    }
  }
  let probability = combineAny(...shares)
  if (!player.finished) {
    // A player who left early is less likely to have carried the run, the earlier the less.
    probability /= evaluateCurve(Curves.notFinishedDamping, player.timePlayedSeconds) + 1
    explanations.push("did not finish")
  } else if (player.isFirstClear) {
    bits |= CheatBit.FirstClear
    explanations.push("first clear")
    probability **= 0.8
  }
  return { membershipId: player.membershipId, probability: clampProbability(probability), bits, explanations }
}

/** A solo run's instance and player are the same story: both get the combined result. */
function mergeSolo(instance: CheatInstance, verdict: CheatVerdict): CheatVerdict {
  const [player] = verdict.players
  if (instance.playerCount !== 1 || verdict.players.length !== 1 || !player) return verdict
  const probability = combineAny(verdict.instanceProbability, player.probability)
  const bits = verdict.instanceBits | player.bits | CheatBit.Solo
  const explanations = [...verdict.explanations, ...player.explanations.map((e) => `player: ${e}`)]
  return {
    ...verdict,
    instanceProbability: probability,
    instanceBits: bits,
    explanations,
    players: [{ membershipId: player.membershipId, probability, bits, explanations }],
  }
}

function describeRun(instance: CheatInstance): string {
  if (!instance.completed) return "incomplete run"
  return instance.fresh === true ? "fresh completion" : "checkpoint completion"
}

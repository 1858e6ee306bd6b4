/**
 * How much of an instance-level signal (too fast, too few kills, time dilation, lowman) a player
 * carries: players who did more than their time share of the killing carry more of it. Tuned by
 * the original's authors; the curve steepens and shifts with team size.
 */
import { logistic } from "./probability.ts"

export interface ParticipationInput {
  playerCount: number
  playerKills: number
  instanceKills: number
  playerTimeSeconds: number
  instanceTimeSeconds: number
}

/** 0..1; solo runs carry nothing here (their instance and player results are merged instead). */
export function computeParticipation(input: ParticipationInput): number {
  if (input.playerCount === 1) return 0
  const kills = Math.max(0, input.playerKills)
  const killShare = kills / (Math.max(0, input.instanceKills) + 1)
  const timeShare = Math.max(0, input.playerTimeSeconds) / (Math.max(0, input.instanceTimeSeconds) + 1)
  // Kill share (sharpened) against time share; a player with kills but no recorded time is all kills.
  const versusExpected = timeShare > 0 ? killShare ** 1.25 / timeShare : kills > 0 ? Number.POSITIVE_INFINITY : 0
  const weight = ((kills + 1) / (Math.max(0, input.instanceKills) + 1)) * (Math.min(kills, 50) / 50)
  const x = weight === 0 ? 0 : versusExpected * 2.5 * weight
  const n = Math.min(Math.max(1, input.playerCount), 8)
  return logistic(-1.6 - 0.35 * (6 - n), 3 - 0.45 * (6 - n), x)
}

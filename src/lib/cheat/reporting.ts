/**
 * What a verdict turns into: flag rows above the reporting thresholds, and a blacklist entry for
 * near-certain instances nobody vouched for.
 */

/** The cheat-check version written with every flag; flags are idempotent per (instance, version). */
export const CHEAT_CHECK_VERSION = "ts-1.0.0"

/** Instance bits are set, and an instance flag is written, above this probability. */
export const INSTANCE_REPORT_THRESHOLD = 0.05
/** A player flag is written above this probability (its bits are set from 0.02, see player-signals.ts). */
export const PLAYER_REPORT_THRESHOLD = 0.05
/** Instances flagged at or above this are blacklisted (off the leaderboards). */
export const BLACKLIST_THRESHOLD = 0.95

export function shouldReportInstance(instanceProbability: number): boolean {
  return instanceProbability > INSTANCE_REPORT_THRESHOLD
}

export function shouldReportPlayer(playerProbability: number): boolean {
  return playerProbability > PLAYER_REPORT_THRESHOLD
}

export interface BlacklistCandidate {
  instanceProbability: number
  /** core.instance.is_whitelisted: an operator cleared this run. */
  instanceWhitelisted: boolean
  /** Whether any participant has core.player.is_whitelisted (a vouched-for player). */
  anyParticipantWhitelisted: boolean
}

/** Near-certain and nobody involved is whitelisted. */
export function shouldBlacklistInstance(candidate: BlacklistCandidate): boolean {
  return candidate.instanceProbability >= BLACKLIST_THRESHOLD && !candidate.instanceWhitelisted && !candidate.anyParticipantWhitelisted
}

export const CHEAT_CHECK_BLACKLIST_REASON = `Flagged >= ${BLACKLIST_THRESHOLD}`

/**
 * nemesis, step 4: when a player reaches level 4, the runs they recently took part in are
 * blacklisted too ("BlacklistedPlayerCascade"), unless their part was negligible.
 */

/** Only level-4 players seen this recently cascade (older ones were cascaded by earlier runs). */
export const CASCADE_LAST_SEEN_DAYS = 14

export interface CascadeSource {
  cheatLevel: number
  whitelisted: boolean
  lastSeen: Date
}

export function isCascadeSource(player: CascadeSource, now: Date): boolean {
  return player.cheatLevel >= 4 && !player.whitelisted && player.lastSeen.getTime() >= now.getTime() - CASCADE_LAST_SEEN_DAYS * 86_400_000
}

/** One run of the level-4 player, with its newest flags (null when not flagged). */
export interface CascadeCandidate {
  instanceProbability: number | null
  playerProbability: number | null
  playerCount: number
  /** The player's time played in the run. */
  timePlayedSeconds: number
  durationSeconds: number
  playerFinished: boolean
  dateCompleted: Date
  /** On a leaderboard people look at: first 1,000 per version, world first, or a community race. */
  onLeaderboard: boolean
  instanceWhitelisted: boolean
}

/**
 * Blacklist when the run was flagged strongly, or when the player mattered in it (solo, 5+
 * minutes, 30 % of the run, finished, or flagged at all) and it is recent: within 60 days of the
 * player's last activity, or within a year for leaderboard runs. Whitelisted runs stay (the
 * original did not check; an operator's clearance must win over a cascade).
 */
export function shouldCascadeBlacklist(run: CascadeCandidate, playerLastSeen: Date): boolean {
  if (run.instanceWhitelisted) return false
  const instance = run.instanceProbability ?? Number.NEGATIVE_INFINITY
  const player = run.playerProbability ?? Number.NEGATIVE_INFINITY
  if (instance >= 0.75 || player >= 0.5) return true
  const mattered =
    run.playerCount === 1 ||
    run.timePlayedSeconds >= 300 ||
    (run.durationSeconds > 0 && run.timePlayedSeconds / run.durationSeconds >= 0.3) ||
    run.playerFinished ||
    instance >= 0.25 ||
    player >= 0.1
  if (!mattered) return false
  const completed = run.dateCompleted.getTime()
  if (completed >= playerLastSeen.getTime() - 60 * 86_400_000) return true
  return run.onLeaderboard && completed >= subtractUtcYear(playerLastSeen).getTime()
}

export function describeCascadeReason(membershipId: bigint): string {
  return `Blacklisted player ${membershipId} has played in this instance`
}

function subtractUtcYear(date: Date): Date {
  const shifted = new Date(date.getTime())
  shifted.setUTCFullYear(shifted.getUTCFullYear() - 1)
  return shifted
}

/**
 * nemesis, step 1: a player's recent flags, graded. A = the player's own probability is damning;
 * B and C weaker evidence (from the player or the instance); D anything else that was flagged.
 */

export type FlagClass = "A" | "B" | "C" | "D"

/** Flags older than this do not count toward a player's level. */
export const FLAG_WINDOW_DAYS = 60
/** Players with fewer counted flags are not reviewed. */
export const MIN_FLAGS_FOR_REVIEW = 3

/** `instanceProbability` is null when the instance itself was not flagged at that version. */
export function classifyFlag(playerProbability: number, instanceProbability: number | null): FlagClass {
  const instance = instanceProbability ?? 0
  if (playerProbability >= 0.85) return "A"
  if (playerProbability >= 0.5 || instance >= 0.99) return "B"
  if (playerProbability >= 0.25 || instance >= 0.5) return "C"
  return "D"
}

/** One flag_instance_player row of the player, joined with its instance flag and instance. */
export interface PlayerFlag {
  instanceId: bigint
  playerProbability: number
  instanceProbability: number | null
  flaggedAt: Date
  /** core.instance.is_whitelisted: cleared runs never count. */
  instanceWhitelisted: boolean
}

export interface FlagCounts {
  total: number
  A: number
  B: number
  C: number
  D: number
}

/**
 * Counts the flags of the last `windowDays` (default 60): one per instance (its newest flag, so a
 * re-check at a newer version replaces the old verdict), whitelisted instances left out.
 */
export function countRecentFlags(flags: readonly PlayerFlag[], now: Date, windowDays = FLAG_WINDOW_DAYS): FlagCounts {
  const since = now.getTime() - windowDays * 86_400_000
  const newest = new Map<bigint, PlayerFlag>()
  for (const flag of flags) {
    if (flag.instanceWhitelisted || !(flag.flaggedAt.getTime() >= since)) continue
    const seen = newest.get(flag.instanceId)
    if (!seen || flag.flaggedAt.getTime() > seen.flaggedAt.getTime()) newest.set(flag.instanceId, flag)
  }
  const counts: FlagCounts = { total: 0, A: 0, B: 0, C: 0, D: 0 }
  for (const flag of newest.values()) {
    counts.total++
    counts[classifyFlag(flag.playerProbability, flag.instanceProbability)]++
  }
  return counts
}

export function needsLevelReview(counts: FlagCounts): boolean {
  return counts.total >= MIN_FLAGS_FOR_REVIEW
}

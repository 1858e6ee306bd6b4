/**
 * Game eras that change what a PGCR's freshness fields mean (research raidhub.md §3.4,
 * bungie.md §10). Boundaries are release moments, compared against the PGCR `period` (start):
 * an activity started exactly at a boundary belongs to the later era.
 */

/** Beyond Light: 2020-11-10 09:00 PST. From here `startingPhaseIndex` is stuck at 0. */
export const BEYOND_LIGHT_START_MS = Date.UTC(2020, 10, 10, 17, 0, 0)
/** The Witch Queen: 2022-02-22 09:00 PST. `activityWasStartedFromBeginning` exists from here. */
export const WITCH_QUEEN_START_MS = Date.UTC(2022, 1, 22, 17, 0, 0)
/** Season of the Haunted: 2022-05-24 10:00 PDT. From here the flag is trustworthy. */
export const HAUNTED_START_MS = Date.UTC(2022, 4, 24, 17, 0, 0)

export type FreshnessEra = "preBeyondLight" | "beyondLight" | "witchQueen" | "haunted"

export function classifyEra(startMs: number): FreshnessEra {
  if (startMs < BEYOND_LIGHT_START_MS) return "preBeyondLight"
  if (startMs < WITCH_QUEEN_START_MS) return "beyondLight"
  if (startMs < HAUNTED_START_MS) return "witchQueen"
  return "haunted"
}

/** Since The Witch Queen the report must carry `activityWasStartedFromBeginning`; before, `startingPhaseIndex`. */
export function requiresStartedFromBeginningFlag(startMs: number): boolean {
  return startMs >= WITCH_QUEEN_START_MS
}

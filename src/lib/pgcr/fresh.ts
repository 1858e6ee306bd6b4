/**
 * `fresh`: was the run started from the beginning (not from a checkpoint)? Exact to the
 * original's era rules (research raidhub.md §3.4); `null` where the era makes it unknowable.
 */
import { classifyEra } from "./eras.ts"

/** Scourge of the Past (both versions): index 1 is still the first encounter. */
export const SCOURGE_OF_THE_PAST_HASHES: ReadonlySet<number> = new Set([548750096, 2812525063])

/**
 * Every Leviathan hash (activity 1: Standard, Guided Games and Prestige rotations). Its encounters
 * rotate, so a fresh run can begin at phase index 0 or 2. Fixed history (Leviathan is sunset);
 * a test checks it equals the definitions' hashes for activity 1.
 */
export const LEVIATHAN_HASHES: ReadonlySet<number> = new Set([
  2693136600, 2693136601, 2693136602, 2693136603, 2693136604, 2693136605, 89727599, 287649202, 1699948563, 1875726950, 3916343513,
  4039317196, 417231112, 508802457, 757116822, 771164842, 1685065161, 1800508819, 2449714930, 3446541099, 4206123728, 3912437239,
  3879860661, 3857338478,
])

export interface FreshInput {
  startMs: number
  hash: number
  /** Required (validated) before The Witch Queen. */
  startingPhaseIndex: number | undefined
  /** Required (validated) from The Witch Queen on. */
  activityWasStartedFromBeginning: boolean | undefined
  /** No character died. */
  deathless: boolean
}

export function determineFresh(input: FreshInput): boolean | null {
  switch (classifyEra(input.startMs)) {
    case "preBeyondLight":
      return isFreshByPhaseIndex(input.hash, input.startingPhaseIndex)
    case "beyondLight":
      // The flag does not exist yet and the phase index is stuck at 0: unknowable, forever.
      return null
    case "witchQueen":
      // The flag wrongly turns false after a wipe; a deathless run had no wipe, so false is only
      // believed when nobody died. A true flag is always believed.
      if (input.activityWasStartedFromBeginning === true) return true
      if (input.activityWasStartedFromBeginning === false && input.deathless) return false
      return null
    case "haunted":
      return input.activityWasStartedFromBeginning ?? null
  }
}

function isFreshByPhaseIndex(hash: number, index: number | undefined): boolean | null {
  if (index === undefined) return null
  if (SCOURGE_OF_THE_PAST_HASHES.has(hash)) return index <= 1
  if (LEVIATHAN_HASHES.has(hash)) return index === 0 || index === 2
  return index === 0
}

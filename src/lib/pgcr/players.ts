/**
 * Entries grouped into players (research raidhub.md §3.3): one player per distinct membership id,
 * in order of first appearance (the original iterated a Go map, so its order was random).
 */
import { buildCharacter } from "./characters.ts"
import type { EntryProfile, ParsedEntry } from "./entries.ts"
import { computeTimePlayed } from "./time-played.ts"
import type { ProcessedPlayer, ProcessedPlayerProfile } from "./types.ts"

export interface PlayerContext {
  startMs: number
  /** Guarded duration (duration.ts). */
  durationSeconds: number
  /** entries[0] `completionReason`: 0 = objective completed. */
  completionReason: number
}

export function groupEntriesByPlayer(entries: readonly ParsedEntry[]): ParsedEntry[][] {
  const byMember = new Map<string, ParsedEntry[]>()
  for (const entry of entries) {
    const list = byMember.get(entry.membershipId)
    if (list) list.push(entry)
    else byMember.set(entry.membershipId, [entry])
  }
  return [...byMember.values()]
}

export function buildPlayer(entries: readonly ParsedEntry[], ctx: PlayerContext): ProcessedPlayer {
  const characters = entries.map(buildCharacter)
  const first = entries[0]!
  // lastSeen: the latest departure over all the player's characters, within the activity. The
  // original used only the first character's end (wrong after a character swap): deliberate fix.
  let lastEnd = 0
  for (const c of characters) lastEnd = Math.max(lastEnd, c.startSeconds + c.timePlayedSeconds)
  lastEnd = Math.min(lastEnd, ctx.durationSeconds)
  return {
    // Finished: any character completed, and the activity ended by its objective (reason 0).
    finished: ctx.completionReason === 0 && characters.some((c) => c.completed),
    timePlayedSeconds: computeTimePlayed(characters, ctx.durationSeconds),
    // Decided later by the writer from completion order (never by arrival order).
    isFirstClear: false,
    sherpas: 0,
    player: buildProfile(first.membershipId, first.profile, ctx.startMs, ctx.startMs + lastEnd * 1000),
    characters,
  }
}

/**
 * Profile fields are only taken when the entry reveals the membership type (≠ 0); otherwise the
 * player crawl fills them in. The Bungie name needs both a code and a non-empty name, and the code
 * is zero-padded to 4 digits. Empty strings become null (null = unknown downstream).
 */
function buildProfile(membershipId: string, p: EntryProfile, firstSeenMs: number, lastSeenMs: number): ProcessedPlayerProfile {
  const known = p.membershipType !== 0
  const hasBungieName =
    known && p.bungieGlobalDisplayNameCode !== undefined && p.bungieGlobalDisplayName !== undefined && p.bungieGlobalDisplayName !== ""
  return {
    membershipId,
    membershipType: known ? p.membershipType : null,
    firstSeen: new Date(firstSeenMs).toISOString(),
    lastSeen: new Date(lastSeenMs).toISOString(),
    iconPath: known ? emptyToNull(p.iconPath) : null,
    displayName: known ? emptyToNull(p.displayName) : null,
    bungieGlobalDisplayName: hasBungieName ? p.bungieGlobalDisplayName! : null,
    bungieGlobalDisplayNameCode: hasBungieName ? String(p.bungieGlobalDisplayNameCode).padStart(4, "0") : null,
  }
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value
}

/**
 * The raid-path validation rules (research raidhub.md §3.1), applied to parsed entries.
 *
 * The original meant to check every entry for a non-zero membership id and for extended data, but
 * its loop stopped at the first entry with a non-zero duration (i.e. almost always at entry 0), so
 * those checks never fired. Here every entry is checked (ids are validated while reading).
 */
import type { ParsedEntry } from "./entries.ts"
import { requiresStartedFromBeginningFlag } from "./eras.ts"
import { fail } from "./fields.ts"
import type { PgcrHeader } from "./header.ts"

export function validateRaidReport(header: PgcrHeader, entries: readonly ParsedEntry[]): void {
  validateEntryCount(entries)
  validateExtendedData(entries)
  if (entries.every((e) => e.activityDurationSeconds === 0)) {
    fail("entries[*].values.activityDurationSeconds", "is 0 for every entry: no one played")
  }
  validateEraFlags(header)
  validateUniqueCharacters(entries)
}

/**
 * `playerCount` counts entries (characters). Fewer entries than it says is what an early fetch
 * looks like (bungie.md §9: 1 entry first, 3 later), so that case is "incomplete": refetch later.
 * A negative playerCount means Bungie did not fill it in (seen as -1): skipped, as the original did.
 * A missing stat reads 0 and so mismatches, as in the original.
 */
function validateEntryCount(entries: readonly ParsedEntry[]): void {
  const expected = entries[0]!.playerCount
  if (expected < 0 || expected === entries.length) return
  const path = "entries[0].values.playerCount"
  if (entries.length < expected) {
    fail(path, `says ${expected} but only ${entries.length} entries arrived (fetched too early?)`, "incomplete")
  }
  fail(path, `says ${expected} but there are ${entries.length} entries`)
}

/** Every entry needs its `extended` block (weapons, precision/ability kills); missing ones arrive later. */
function validateExtendedData(entries: readonly ParsedEntry[]): void {
  const missing = entries.filter((e) => !e.hasExtended).map((e) => e.index)
  if (missing.length === 0) return
  const which = missing.length === entries.length ? "every entry" : `entries ${missing.join(", ")}`
  fail("entries[*].extended", `missing for ${which}`, "incomplete")
}

/** The freshness inputs of the report's era must be present (research §3.1). */
function validateEraFlags(header: PgcrHeader): void {
  if (requiresStartedFromBeginningFlag(header.startMs)) {
    if (header.activityWasStartedFromBeginning === undefined) {
      fail("activityWasStartedFromBeginning", "is missing (required since The Witch Queen)", "incomplete")
    }
  } else if (header.startingPhaseIndex === undefined) {
    fail("startingPhaseIndex", "is missing (required before The Witch Queen)")
  }
}

/** (membership, character) is a primary key downstream; a repeated character id cannot be stored. */
function validateUniqueCharacters(entries: readonly ParsedEntry[]): void {
  const seen = new Map<string, number>()
  for (const entry of entries) {
    const first = seen.get(entry.characterId)
    if (first !== undefined) {
      fail(`entries[${entry.index}].characterId`, `${entry.characterId} repeats entries[${first}]`)
    }
    seen.set(entry.characterId, entry.index)
  }
}

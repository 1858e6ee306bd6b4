/**
 * PGCR bodies: decode once, keep the bytes. The crawler stores the original body (compressed) and
 * processes the decoded object, so the client hands back both from a single parse.
 */
import type {
  DestinyHistoricalStatsValue,
  DestinyPostGameCarnageReportData,
  DestinyPostGameCarnageReportEntry,
} from "bungie-api-ts/destiny2"

/** Source text of a 64-bit number literal, e.g. "-4.1464340033305185E+18"; see json.ts parseIntegerLiteral. */
export type Int64Literal = string

/** A stat pair as decoded: `value` is a string when its literal was >= 2^53 (fireteamId). */
export interface DecodedStatsValuePair {
  readonly value: number | Int64Literal
  readonly displayValue: string
}

export type DecodedStatsValue = Omit<DestinyHistoricalStatsValue, "basic" | "pga" | "weighted"> & {
  readonly basic: DecodedStatsValuePair
  readonly pga?: DecodedStatsValuePair
  readonly weighted?: DecodedStatsValuePair
}

export type DecodedPgcrEntry = Omit<DestinyPostGameCarnageReportEntry, "values"> & {
  readonly values: { [key: string]: DecodedStatsValue }
}

/**
 * The PGCR as it came off the wire (bungie-api-ts shape, 64-bit literals as strings). NOT validated:
 * PGCR processing checks every field it reads. Exception: a non-raid report is a summary
 * (pgcr-decode.ts): its header and each entry's three duration stats, all that processing reads.
 */
export type DecodedPgcr = Omit<DestinyPostGameCarnageReportData, "entries"> & {
  readonly entries: DecodedPgcrEntry[]
}

/** What `getPgcr` returns on success: the body exactly as received, and its decoded `Response`. */
export interface RawPgcr {
  /** The full HTTP body (envelope included), byte for byte: store this, compressed. */
  readonly bytes: Uint8Array
  readonly pgcr: DecodedPgcr
}

/**
 * Makes the known 64-bit fields strings even when Bungie (or a dataset) sent a small JSON number:
 * `activityDetails.instanceId`, `entries[].characterId`, `player.destinyUserInfo.membershipId` and
 * `values.fireteamId` (`.basic.value`, or the flattened number). Big literals are already strings
 * (json.ts); a number here is below 2^53, so `String` is exact. Mutates in place; ignores wrong shapes
 * (validation is processing's job).
 */
export function stringifyPgcrIds(pgcr: unknown): void {
  if (!isRecord(pgcr)) return
  const details = pgcr.activityDetails
  if (isRecord(details)) stringifyField(details, "instanceId")
  const entries = pgcr.entries
  if (!Array.isArray(entries)) return
  for (const entry of entries) {
    if (!isRecord(entry)) continue
    stringifyField(entry, "characterId")
    const player = entry.player
    if (isRecord(player) && isRecord(player.destinyUserInfo)) stringifyField(player.destinyUserInfo, "membershipId")
    const values = entry.values
    if (!isRecord(values)) continue
    const fireteam = values.fireteamId
    if (typeof fireteam === "number") values.fireteamId = String(fireteam)
    else if (isRecord(fireteam) && isRecord(fireteam.basic)) stringifyField(fireteam.basic, "value")
  }
}

function stringifyField(record: Record<string, unknown>, key: string): void {
  const value = record[key]
  if (typeof value === "number") record[key] = String(value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

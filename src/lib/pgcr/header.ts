/**
 * The activity-level fields of a PGCR, read for every report (raid or not) before deciding
 * whether it is a raid. Kept cheap: entries are only checked to be a non-empty array here.
 */
import {
  describe,
  fail,
  type JsonObject,
  readArray,
  readHash,
  readId,
  readInt,
  readObject,
  readOptionalArray,
  readOptionalBool,
  readOptionalInt,
} from "./fields.ts"
import { parseRfc3339 } from "./period.ts"

export const RAID_MODE = 4

export interface PgcrHeader {
  instanceId: string
  mode: number
  modes: number[]
  /** `activityDetails.directorActivityHash`. */
  hash: number
  /** Activity platform; 0 when Bungie does not say (common since 2025). */
  membershipType: number
  /** `period`, the activity start, in ms since the epoch. */
  startMs: number
  startingPhaseIndex: number | undefined
  activityWasStartedFromBeginning: boolean | undefined
  /** Raw `selectedSkullHashes`, validated only for raids (skulls.ts). */
  selectedSkullHashes: unknown
  /** Non-empty; each element still unvalidated. */
  entries: unknown[]
}

/** Reads the header of a bare PGCR (`Response` of the envelope). Throws PgcrFormatError. */
export function readHeader(raw: unknown): PgcrHeader {
  const report = readObject(raw, "PGCR")
  rejectDatasetRecord(report)
  const details = readObject(report.activityDetails, "activityDetails")
  const instanceId = readId(details.instanceId, "activityDetails.instanceId")
  const mode = readInt(details.mode, "activityDetails.mode")
  const modes = (readOptionalArray(details.modes, "activityDetails.modes") ?? []).map((m, i) => readInt(m, `activityDetails.modes[${i}]`))
  const hash = readHash(details.directorActivityHash, "activityDetails.directorActivityHash")
  if (typeof report.period !== "string") fail("period", `expected an RFC 3339 string, got ${describe(report.period)}`)
  const startMs = parseRfc3339(report.period)
  if (startMs === undefined) fail("period", `not an RFC 3339 timestamp: ${JSON.stringify(report.period.slice(0, 40))}`)
  const entries = readArray(report.entries, "entries")
  if (entries.length === 0) fail("entries", "is empty (no players reported yet)", "incomplete")
  return {
    instanceId,
    mode,
    modes,
    hash,
    membershipType: readOptionalInt(details.membershipType, "activityDetails.membershipType") ?? 0,
    startMs,
    startingPhaseIndex: readOptionalInt(report.startingPhaseIndex, "startingPhaseIndex"),
    activityWasStartedFromBeginning: readOptionalBool(report.activityWasStartedFromBeginning, "activityWasStartedFromBeginning"),
    selectedSkullHashes: report.selectedSkullHashes,
    entries,
  }
}

/** Raid mode: `mode` 4, or 4 among `modes` (Pantheon reports mode 4 too). */
export function isRaidMode(header: Pick<PgcrHeader, "mode" | "modes">): boolean {
  return header.mode === RAID_MODE || header.modes.includes(RAID_MODE)
}

/** The public D2Asun dataset re-shapes PGCRs (extra `_id`/`archived`, flattened stats). */
function rejectDatasetRecord(report: JsonObject): void {
  if ("_id" in report || "archived" in report) {
    fail(
      "PGCR",
      "top-level '_id'/'archived' keys: this is a D2Asun dataset record (flattened stats), not a Bungie API PGCR",
      "notApiFormat",
    )
  }
}

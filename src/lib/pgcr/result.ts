/**
 * What `processPgcr` returns: a value, never an exception.
 */
import type { BadFormatCode } from "./fields.ts"
import type { IdString, ProcessedInstance } from "./types.ts"

export type { BadFormatCode } from "./fields.ts"

/**
 * A mode-4 PGCR whose hash `definitions.activity_version` knows: store it. This includes Pantheon
 * (`isPantheon`, activity ids 101/102), which RaidHub keeps as its own raid-like activity.
 */
export interface RaidResult {
  kind: "raid"
  instance: ProcessedInstance
  activityId: number
  versionId: number
  /** `activity_definition.is_raid`; false for Pantheon. */
  isRaid: boolean
  isPantheon: boolean
}

/**
 * Not stored. The crawler still records lag from `dateCompleted`.
 *
 * `unknownRaidHash` is true for a mode-4 (raid mode) PGCR whose hash the definitions do not know:
 * most likely a new raid or version missing from the seed. It is resolved like any non-raid (so the
 * crawler moves on) but must be counted and logged distinctly so operators notice, update the seed,
 * and replay those ids.
 */
export interface NonRaidResult {
  kind: "nonRaid"
  instanceId: IdString
  mode: number
  hash: number
  /** ISO-8601 UTC: start + duration (duration guarded as for raids, see duration.ts). */
  dateCompleted: string
  unknownRaidHash: boolean
}

export interface BadFormatResult {
  kind: "badFormat"
  /** "incomplete" means: fetched too early, refetch later. See fields.ts for every code. */
  code: BadFormatCode
  /** Human-readable, starts with the code and names the offending field, e.g. "incomplete: ...". */
  reason: string
  /** Present when the instance id itself could be read. */
  instanceId?: IdString
}

export type ProcessResult = RaidResult | NonRaidResult | BadFormatResult

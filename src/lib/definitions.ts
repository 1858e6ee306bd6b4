/**
 * Activity definitions: which Destiny activity hash is which RaidHub activity and version.
 *
 * Built from `sql/seeds/definitions.json`, the same document the database seed loads, so the
 * crawler's raid filter and the `core.instance.hash -> definitions.activity_version` foreign key
 * always agree. The document is RaidHub's seed: ordered steps of rows per table
 * (`activity_definition`, `version_definition`, `activity_version`, ...).
 *
 * Raid vs Pantheon: both live in `activity_version`. Real raids have `is_raid = true`; Pantheon
 * (activity ids 101 and 102) has `is_raid = false` but is still a stored, raid-like activity of its
 * own: its PGCRs report mode 4 and RaidHub keeps them (research raidhub.md §2.10). In RaidHub's
 * seed every non-raid activity definition is a Pantheon, so `isPantheon` = known and not a raid.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"

/** Everything the crawler and writers need to know about one activity hash. */
export interface ActivityVersionInfo {
  hash: number
  activityId: number
  versionId: number
  activityName: string
  versionName: string
  /** `activity_definition.is_raid`: false for Pantheon. */
  isRaid: boolean
  isPantheon: boolean
  /** Sunset activities can no longer be played (they still get stored from old PGCRs). */
  isSunset: boolean
  isWorldFirst: boolean
  isChallengeMode: boolean
  /** ISO-8601 UTC: the version's release override, else the activity's release date. */
  releaseDate: string
}

export interface ActivityInfo {
  id: number
  name: string
  isRaid: boolean
  isSunset: boolean
  isPantheon: boolean
  releaseDate: string
}

export interface Definitions {
  /** The activity/version a hash belongs to, or undefined when the seed does not know it. */
  resolveHash(hash: number): ActivityVersionInfo | undefined
  activity(activityId: number): ActivityInfo | undefined
  /** Every hash of one activity, ascending (e.g. the 24 Leviathan hashes for activity 1). */
  hashesOfActivity(activityId: number): readonly number[]
  /** Raids still playable: the set a player's sum-of-best must cover. Ascending. */
  readonly nonSunsetRaidActivityIds: readonly number[]
  isPantheon(activityId: number): boolean
  /** Number of known hashes. */
  readonly size: number
}

/** Default location of the seed, relative to the repository root. */
export const DEFINITIONS_SEED_PATH = resolve(import.meta.dir, "..", "..", "sql", "seeds", "definitions.json")

/** Reads and builds the definitions (synchronously: done once at start-up, in every thread). */
export function loadDefinitions(path: string = DEFINITIONS_SEED_PATH): Definitions {
  return buildDefinitions(JSON.parse(readFileSync(path, "utf8")))
}

/** Builds the lookup from the parsed seed document; throws on a document that does not fit. */
export function buildDefinitions(seed: unknown): Definitions {
  const tables = collectTables(seed)
  const activities = new Map<number, ActivityInfo>()
  for (const row of tables.get("activity_definition") ?? []) {
    const id = requireInt(row, "id", "activity_definition")
    const isRaid = requireBool(row, "is_raid", "activity_definition")
    activities.set(id, {
      id,
      name: requireString(row, "name", "activity_definition"),
      isRaid,
      isSunset: requireBool(row, "is_sunset", "activity_definition"),
      isPantheon: !isRaid,
      releaseDate: requireDate(row, "release_date", "activity_definition"),
    })
  }
  const versions = new Map<number, { name: string; isChallengeMode: boolean }>()
  for (const row of tables.get("version_definition") ?? []) {
    versions.set(requireInt(row, "id", "version_definition"), {
      name: requireString(row, "name", "version_definition"),
      isChallengeMode: row.is_challenge_mode === true,
    })
  }
  const byHash = new Map<number, ActivityVersionInfo>()
  const hashesByActivity = new Map<number, number[]>()
  for (const row of tables.get("activity_version") ?? []) {
    const hash = requireInt(row, "hash", "activity_version")
    const activityId = requireInt(row, "activity_id", "activity_version")
    const versionId = requireInt(row, "version_id", "activity_version")
    const activity = activities.get(activityId)
    const version = versions.get(versionId)
    if (!activity) throw new Error(`definitions: activity_version ${hash} references unknown activity ${activityId}`)
    if (!version) throw new Error(`definitions: activity_version ${hash} references unknown version ${versionId}`)
    if (byHash.has(hash)) throw new Error(`definitions: activity_version hash ${hash} appears twice`)
    const override = row.release_date_override
    byHash.set(hash, {
      hash,
      activityId,
      versionId,
      activityName: activity.name,
      versionName: version.name,
      isRaid: activity.isRaid,
      isPantheon: activity.isPantheon,
      isSunset: activity.isSunset,
      isWorldFirst: row.is_world_first === true,
      isChallengeMode: version.isChallengeMode,
      releaseDate:
        override === undefined || override === null ? activity.releaseDate : requireDate(row, "release_date_override", "activity_version"),
    })
    const list = hashesByActivity.get(activityId) ?? []
    list.push(hash)
    hashesByActivity.set(activityId, list)
  }
  if (byHash.size === 0) throw new Error("definitions: no activity_version rows")
  for (const list of hashesByActivity.values()) list.sort((a, b) => a - b)

  const nonSunsetRaidActivityIds = Object.freeze(
    [...activities.values()]
      .filter((a) => a.isRaid && !a.isSunset)
      .map((a) => a.id)
      .sort((a, b) => a - b),
  )
  const empty: readonly number[] = Object.freeze([])
  return Object.freeze({
    resolveHash: (hash: number) => byHash.get(hash),
    activity: (activityId: number) => activities.get(activityId),
    hashesOfActivity: (activityId: number) => hashesByActivity.get(activityId) ?? empty,
    nonSunsetRaidActivityIds,
    isPantheon: (activityId: number) => activities.get(activityId)?.isPantheon ?? false,
    size: byHash.size,
  })
}

type Row = Record<string, unknown>

/** Merges the rows of every step, per table (the seed orders steps for foreign keys only). */
function collectTables(seed: unknown): Map<string, Row[]> {
  const steps = isRecord(seed) ? seed.steps : undefined
  if (!Array.isArray(steps)) throw new Error("definitions: expected { steps: [...] }")
  const tables = new Map<string, Row[]>()
  for (const step of steps) {
    const stepTables = isRecord(step) ? step.tables : undefined
    if (!isRecord(stepTables)) throw new Error("definitions: a step has no tables object")
    for (const [name, rows] of Object.entries(stepTables)) {
      if (!Array.isArray(rows)) throw new Error(`definitions: table ${name} is not an array`)
      const list = tables.get(name) ?? []
      for (const row of rows) {
        if (!isRecord(row)) throw new Error(`definitions: table ${name} has a non-object row`)
        list.push(row)
      }
      tables.set(name, list)
    }
  }
  return tables
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function requireInt(row: Row, key: string, table: string): number {
  const value = row[key]
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new Error(`definitions: ${table}.${key} must be an integer, got ${JSON.stringify(value)}`)
  }
  return value
}

function requireBool(row: Row, key: string, table: string): boolean {
  const value = row[key]
  if (typeof value !== "boolean") throw new Error(`definitions: ${table}.${key} must be a boolean, got ${JSON.stringify(value)}`)
  return value
}

function requireString(row: Row, key: string, table: string): string {
  const value = row[key]
  if (typeof value !== "string") throw new Error(`definitions: ${table}.${key} must be a string, got ${JSON.stringify(value)}`)
  return value
}

function requireDate(row: Row, key: string, table: string): string {
  const text = requireString(row, key, table)
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new Error(`definitions: ${table}.${key} is not a date: ${JSON.stringify(text)}`)
  return new Date(ms).toISOString()
}

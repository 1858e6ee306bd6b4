// Reads the real PGCR fixtures once and turns them into generation templates and pools.
// The simulator never imports src/lib; it reads the shared fixtures directly so it can't
// inherit our processing bugs.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"

/** Edge of Fate (2025-07-15): PGCRs gained activityDifficultyTier / scoreboardValues. */
export const EDGE_OF_FATE_MS = Date.parse("2025-07-15T17:00:00Z")

export type TemplateKind = "raid" | "pantheon" | "other"

export interface PgcrTemplate {
  file: string
  kind: TemplateKind
  modern: boolean
  hash: number
  /** Compact JSON of the Response body; JSON.parse of it is our cheapest deep clone. */
  json: string
  entryCount: number
  /** entries[0] activityDurationSeconds of the template. */
  durationSeconds: number
  /** Every entry completed (reason 0) and the run started from the beginning: a fresh full clear. */
  freshClear: boolean
}

export interface RaidRow {
  raid: string
  version: string
  hash: number
  activityId: number
  releaseMs: number
  sunset: boolean
  /** From activity_definition: end of the contest (day-one) window, and of week one. */
  contestEndMs: number | null
  weekOneEndMs: number | null
  /** The version the world-first leaderboard ranks (activity_version.is_world_first). */
  isWorldFirst: boolean
}

export interface PantheonRow {
  hash: number
  activityId: number
  versionId: number
  releaseMs: number
  sunset: boolean
}

export interface SeasonRow {
  id: number
  dlc: string
  startMs: number
}

export interface FixtureData {
  dir: string
  templates: PgcrTemplate[]
  raidRows: RaidRow[]
  pantheonRows: PantheonRow[]
  pantheonHashes: number[]
  seasons: SeasonRow[]
  raidHashes: Set<number>
  weaponHashes: number[]
  emblemHashes: number[]
  iconPaths: string[]
  activityNames: Map<number, { name: string; version: string; kind: TemplateKind; mode: number }>
}

/** env FIXTURES_DIR, else `<repo>/../shared/fixtures` (repo = two levels above src/sim). */
export function resolveFixturesDir(explicit?: string): string {
  if (explicit) return resolve(explicit)
  const fromEnv = process.env.FIXTURES_DIR
  if (fromEnv) return resolve(fromEnv)
  return resolve(import.meta.dir, "..", "..", "..", "shared", "fixtures")
}

const cache = new Map<string, FixtureData>()

export function loadFixtures(dirOption?: string): FixtureData {
  const dir = resolveFixturesDir(dirOption)
  const cached = cache.get(dir)
  if (cached) return cached
  const pgcrDir = join(dir, "pgcr")
  for (const needed of [pgcrDir, join(dir, "raid-activities.json"), join(dir, "definitions.json")]) {
    if (!existsSync(needed)) {
      throw new Error(
        `sim: fixtures missing: ${needed} not found. Set FIXTURES_DIR to the directory holding pgcr/, raid-activities.json and definitions.json`,
      )
    }
  }
  const data = buildFixtureData(dir, pgcrDir)
  cache.set(dir, data)
  return data
}

interface RawRaidActivity {
  raid: string
  version: string
  activityHash: number
  isWorldFirst?: boolean
  source: string
}

interface RawDefinitions {
  steps: Array<{ tables: Record<string, Array<Record<string, unknown>>> }>
}

function buildFixtureData(dir: string, pgcrDir: string): FixtureData {
  const raidActivities = JSON.parse(readFileSync(join(dir, "raid-activities.json"), "utf8")) as RawRaidActivity[]
  const definitions = JSON.parse(readFileSync(join(dir, "definitions.json"), "utf8")) as RawDefinitions
  const tableRows = (name: string) => definitions.steps.flatMap((s) => s.tables[name] ?? [])
  const activities = tableRows("activity_definition")
  const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : Date.parse(String(v)))
  const releaseByName = new Map<
    string,
    { releaseMs: number; sunset: boolean; id: number; contestEndMs: number | null; weekOneEndMs: number | null }
  >()
  for (const a of activities) {
    releaseByName.set(String(a.name), {
      releaseMs: Date.parse(String(a.release_date)),
      sunset: a.is_sunset === true,
      id: Number(a.id),
      contestEndMs: dateOrNull(a.contest_end),
      weekOneEndMs: dateOrNull(a.week_one_end),
    })
  }
  const worldFirst = new Set(
    tableRows("activity_version")
      .filter((v) => v.is_world_first === true)
      .map((v) => Number(v.hash)),
  )
  const raidRows: RaidRow[] = raidActivities
    .filter((r) => r.source === "raidhub-seeds")
    .map((r) => {
      const meta = releaseByName.get(r.raid)
      if (!meta) throw new Error(`sim: raid ${r.raid} missing from definitions.json activity_definition`)
      return {
        raid: r.raid,
        version: r.version,
        hash: r.activityHash,
        activityId: meta.id,
        releaseMs: meta.releaseMs,
        sunset: meta.sunset,
        contestEndMs: meta.contestEndMs,
        weekOneEndMs: meta.weekOneEndMs,
        isWorldFirst: r.isWorldFirst === true || worldFirst.has(r.activityHash),
      }
    })
  const raidHashes = new Set(raidRows.map((r) => r.hash))
  const pantheonActivities = new Map(activities.filter((a) => a.is_raid === false).map((a) => [Number(a.id), a] as const))
  const pantheonIds = new Set(pantheonActivities.keys())
  const pantheonRows: PantheonRow[] = tableRows("activity_version")
    .filter((v) => pantheonIds.has(Number(v.activity_id)))
    .map((v) => {
      const a = pantheonActivities.get(Number(v.activity_id))!
      return {
        hash: Number(v.hash),
        activityId: Number(v.activity_id),
        versionId: Number(v.version_id),
        releaseMs: Date.parse(String(a.release_date)),
        sunset: a.is_sunset === true,
      }
    })
  const pantheonHashes = pantheonRows.map((r) => r.hash)
  const seasons: SeasonRow[] = tableRows("season")
    .map((r) => ({ id: Number(r.id), dlc: String(r.dlc), startMs: Date.parse(String(r.start_date)) }))
    .sort((a, b) => a.startMs - b.startMs)
  const activityNames = new Map<number, { name: string; version: string; kind: TemplateKind; mode: number }>()
  for (const r of raidRows) activityNames.set(r.hash, { name: r.raid, version: r.version, kind: "raid", mode: 4 })
  const versionNames = new Map(tableRows("version_definition").map((v) => [Number(v.id), String(v.name)]))
  const activityById = new Map(activities.map((a) => [Number(a.id), String(a.name)]))
  for (const v of tableRows("activity_version")) {
    if (!pantheonIds.has(Number(v.activity_id))) continue
    activityNames.set(Number(v.hash), {
      name: activityById.get(Number(v.activity_id)) ?? "Pantheon",
      version: versionNames.get(Number(v.version_id)) ?? "Standard",
      kind: "pantheon",
      mode: 4,
    })
  }

  const templates: PgcrTemplate[] = []
  const weapons = new Set<number>()
  const emblems = new Set<number>()
  const icons = new Set<string>()
  for (const file of readdirSync(pgcrDir)
    .filter((f) => /^\d+\.json$/.test(f))
    .sort()) {
    const parsed = JSON.parse(readFileSync(join(pgcrDir, file), "utf8")) as Record<string, unknown>
    const body = (parsed.Response ?? parsed) as Record<string, any>
    // The D2Asun dataset record is not API format (flattened stats, extra keys): never a template.
    if ("_id" in body || !Array.isArray(body.entries) || body.entries.length === 0) continue
    const details = body.activityDetails as { mode: number; directorActivityHash: number }
    const kind: TemplateKind = details.mode === 4 ? (raidHashes.has(details.directorActivityHash) ? "raid" : "pantheon") : "other"
    for (const entry of body.entries as any[]) {
      for (const w of entry.extended?.weapons ?? []) weapons.add(Number(w.referenceId))
      if (entry.player?.emblemHash) emblems.add(Number(entry.player.emblemHash))
      const icon = entry.player?.destinyUserInfo?.iconPath
      if (typeof icon === "string") icons.add(icon)
    }
    if (kind === "other" && !activityNames.has(details.directorActivityHash)) {
      activityNames.set(details.directorActivityHash, {
        name: details.mode === 82 ? "Dungeon" : "Strike",
        version: "Standard",
        kind: "other",
        mode: details.mode,
      })
    }
    const entries = body.entries as any[]
    const allCompleted = entries.every((e) => e.values?.completed?.basic?.value === 1 && e.values?.completionReason?.basic?.value === 0)
    templates.push({
      file,
      kind,
      modern: "activityDifficultyTier" in body,
      hash: details.directorActivityHash,
      json: JSON.stringify(body),
      entryCount: entries.length,
      durationSeconds: Number(entries[0]?.values?.activityDurationSeconds?.basic?.value ?? 600),
      freshClear: allCompleted && body.activityWasStartedFromBeginning === true,
    })
  }
  if (!templates.some((t) => t.kind === "raid") || !templates.some((t) => t.kind === "other")) {
    throw new Error(`sim: ${pgcrDir} needs at least one raid and one non-raid PGCR fixture`)
  }
  return {
    dir,
    templates,
    raidRows,
    pantheonRows,
    pantheonHashes,
    seasons,
    raidHashes,
    weaponHashes: [...weapons].sort((a, b) => a - b),
    emblemHashes: [...emblems].sort((a, b) => a - b),
    iconPaths: [...icons].sort(),
    activityNames,
  }
}

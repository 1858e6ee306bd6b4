/**
 * The definitions seed: loaded by the migration runner, idempotent, correctable, and complete
 * enough that every raid hash RaidHub's seeds know resolves to its activity and version.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FIXTURES_DIR } from "../fixtures-path.ts"
import { DEFAULT_SEEDS_DIR, loadSeeds, parseSeedFile } from "./seed.ts"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

interface RaidActivity {
  raid: string
  version: string
  activityHash: number
  isWorldFirst: boolean | null
  source: string
}

let db: TestDatabase
const tempDirs: string[] = []

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})

afterAll(async () => {
  await db?.drop()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

describe("definitions seed", () => {
  test("the repo copy matches the shared fixture", () => {
    const repo = readFileSync(join(DEFAULT_SEEDS_DIR, "definitions.json"), "utf8")
    const fixture = readFileSync(join(FIXTURES_DIR, "definitions.json"), "utf8")
    expect(JSON.parse(repo)).toEqual(JSON.parse(fixture))
  })

  test("the runner loaded every row", async () => {
    const counts = await db.sql<{ t: string; n: number }[]>`
      SELECT 'activity_definition' AS t, count(*)::int AS n FROM definitions.activity_definition
      UNION ALL SELECT 'version_definition', count(*)::int FROM definitions.version_definition
      UNION ALL SELECT 'activity_version', count(*)::int FROM definitions.activity_version
      UNION ALL SELECT 'season', count(*)::int FROM definitions.season
      UNION ALL SELECT 'class_definition', count(*)::int FROM definitions.class_definition`
    expect(Object.fromEntries(counts.map((c) => [c.t, c.n]))).toEqual({
      activity_definition: 18,
      version_definition: 22,
      activity_version: 89,
      season: 29,
      class_definition: 3,
    })
    const [override] = await db.sql`SELECT release_date_override FROM definitions.activity_version WHERE hash = 747671496`
    expect((override!.release_date_override as Date).toISOString()).toBe("2026-06-13T17:00:00.000Z")
  })

  test("a second load changes nothing", async () => {
    const report = await loadSeeds(db.sql)
    expect(report.totalRows).toBe(18 + 22 + 89 + 29 + 3)
    expect(report.totalChanged).toBe(0)
    expect(report.tables.map((t) => t.table)).toEqual([
      "activity_definition",
      "version_definition",
      "season",
      "class_definition",
      "activity_version",
    ])
  })

  test("a corrected seed updates exactly the corrected rows", async () => {
    const seed = JSON.parse(readFileSync(join(DEFAULT_SEEDS_DIR, "definitions.json"), "utf8"))
    seed.steps[0].tables.activity_definition[0].name = "Leviathan (corrected)"
    const dir = mkdtempSync(join(tmpdir(), "raidhub-seed-"))
    tempDirs.push(dir)
    writeFileSync(join(dir, "definitions.json"), JSON.stringify(seed))
    const report = await loadSeeds(db.sql, dir)
    expect(report.totalChanged).toBe(1)
    const [row] = await db.sql`SELECT name FROM definitions.activity_definition WHERE id = 1`
    expect(row!.name).toBe("Leviathan (corrected)")
    // Loading the repo seed again restores it.
    expect((await loadSeeds(db.sql)).totalChanged).toBe(1)
  })

  test("every raidhub-seeds raid hash resolves to its activity and version", async () => {
    const activities = JSON.parse(readFileSync(join(FIXTURES_DIR, "raid-activities.json"), "utf8")) as RaidActivity[]
    const known = activities.filter((a) => a.source === "raidhub-seeds")
    expect(known.length).toBeGreaterThan(70)
    const rows = await db.sql<{ hash: bigint; activity: string; version: string; is_world_first: boolean }[]>`
      SELECT av.hash, a.name AS activity, v.name AS version, av.is_world_first
      FROM definitions.activity_version av
      JOIN definitions.activity_definition a ON a.id = av.activity_id
      JOIN definitions.version_definition v ON v.id = av.version_id
      WHERE av.hash = ANY(${known.map((a) => String(a.activityHash))}::bigint[])`
    const byHash = new Map(rows.map((r) => [Number(r.hash), r]))
    for (const activity of known) {
      const row = byHash.get(activity.activityHash)
      expect({ hash: activity.activityHash, activity: row?.activity, version: row?.version }).toEqual({
        hash: activity.activityHash,
        activity: activity.raid,
        version: activity.version,
      })
      if (activity.isWorldFirst !== null) expect(row!.is_world_first).toBe(activity.isWorldFirst)
    }
  })

  test("a seed naming an unknown table is rejected", () => {
    const bad = JSON.stringify({ steps: [{ step: 1, tables: { player: [{ membership_id: 1 }] } }] })
    expect(() => parseSeedFile("bad.json", bad)).toThrow(/unknown table "player"/)
  })
})

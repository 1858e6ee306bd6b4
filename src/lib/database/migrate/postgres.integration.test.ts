import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createLogger } from "../../monitoring/logger.ts"
import { createTestDatabase, type TestDatabase } from "../testing.ts"
import type { MigrationDir } from "./files.ts"
import { runPostgresMigrations } from "./postgres.ts"

const silent = createLogger({ level: "silent" })
let root: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "raidhub-migrate-pg-"))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A fresh pair of migration/view directories holding the given files (views repeatable, as in the repo). */
function makeDirs(files: { migrations?: Record<string, string>; views?: Record<string, string> }): MigrationDir[] {
  const base = mkdtempSync(join(root, "case-"))
  const dirs: MigrationDir[] = []
  for (const group of ["migrations", "views"] as const) {
    const dir = join(base, group)
    mkdirSync(dir)
    for (const [name, content] of Object.entries(files[group] ?? {})) writeFileSync(join(dir, name), content)
    dirs.push({ group, dir, repeatable: group === "views" })
  }
  return dirs
}

async function withDb(run: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createTestDatabase()
  try {
    await run(db)
  } finally {
    await db.drop()
  }
}

describe("runPostgresMigrations", () => {
  test("applies to an empty database in order, records checksums, re-run is a no-op", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({
        migrations: {
          "0002_rows.sql": "INSERT INTO t (id) VALUES (9223372036854775807);",
          "0001_table.sql":
            "CREATE SCHEMA s;\nCREATE TABLE t (id bigint PRIMARY KEY);\nCREATE FUNCTION s.f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
        },
        views: { "0001_v.sql": "CREATE MATERIALIZED VIEW s.v AS SELECT id FROM t;\nCREATE UNIQUE INDEX ON s.v (id);" },
      })
      const first = await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      expect(first.applied).toEqual(["migrations/0001_table.sql", "migrations/0002_rows.sql", "views/0001_v.sql"])
      const recorded = await sql<{ name: string; checksum: string }[]>`SELECT name, checksum FROM public._migrations ORDER BY name`
      expect(recorded.map((r) => r.name)).toEqual(first.applied)
      expect(recorded.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true)
      const [row] = await sql<{ id: bigint }[]>`SELECT id FROM s.v`
      expect(row!.id).toBe(9223372036854775807n)

      const second = await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      expect(second.applied).toEqual([])
      expect(second.skipped).toBe(3)
      const [count] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM t`
      expect(count!.n).toBe(1n)
    }))

  test("dry run lists pending files without applying them", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({ migrations: { "0001_a.sql": "CREATE TABLE a (x int);" } })
      const dry = await runPostgresMigrations(sql, { dirs, dryRun: true, seeds: false, logger: silent })
      expect(dry.applied).toEqual(["migrations/0001_a.sql"])
      const [exists] = await sql<{ t: string | null }[]>`SELECT to_regclass('public.a')::text AS t`
      expect(exists!.t).toBeNull()
    }))

  test("refuses to run when an applied migration was edited, naming the file", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({ migrations: { "0001_a.sql": "CREATE TABLE a (x int);" } })
      await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      writeFileSync(join(dirs[0]!.dir, "0001_a.sql"), "CREATE TABLE a (x bigint);")
      writeFileSync(join(dirs[0]!.dir, "0002_b.sql"), "CREATE TABLE b (x int);")
      await expect(runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })).rejects.toThrow(/migrations\/0001_a\.sql.*edited/)
      // Nothing after the edited file ran either.
      const [exists] = await sql<{ t: string | null }[]>`SELECT to_regclass('public.b')::text AS t`
      expect(exists!.t).toBeNull()
    }))

  test("an edited views file is applied again and its record updated; unchanged ones are skipped", () =>
    withDb(async ({ sql }) => {
      const view = (column: string) =>
        `DROP MATERIALIZED VIEW IF EXISTS s.v;\nCREATE MATERIALIZED VIEW s.v AS SELECT id AS ${column} FROM t;`
      const dirs = makeDirs({
        migrations: { "0001_t.sql": "CREATE SCHEMA s;\nCREATE TABLE t (id bigint);\nINSERT INTO t VALUES (1);" },
        views: { "0001_v.sql": view("a"), "0002_w.sql": "CREATE MATERIALIZED VIEW s.w AS SELECT 1 AS one;" },
      })
      await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      const before = await sql<{ checksum: string }[]>`SELECT checksum FROM public._migrations WHERE name = 'views/0001_v.sql'`

      writeFileSync(join(dirs[1]!.dir, "0001_v.sql"), view("b"))
      const again = await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      expect(again.applied).toEqual(["views/0001_v.sql"])
      const [row] = await sql<{ b: bigint }[]>`SELECT b FROM s.v`
      expect(row!.b).toBe(1n)
      const after = await sql<{ checksum: string }[]>`SELECT checksum FROM public._migrations WHERE name = 'views/0001_v.sql'`
      expect(after).toHaveLength(1)
      expect(after[0]!.checksum).not.toBe(before[0]!.checksum)

      const third = await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      expect(third.applied).toEqual([])
    }))

  test("a failing migration rolls back entirely and is not recorded", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({
        migrations: {
          "0001_ok.sql": "CREATE TABLE ok (x int);",
          "0002_bad.sql": "CREATE TABLE half (x int);\nINSERT INTO half VALUES (1);\nSELECT * FROM no_such_table;",
          "0003_never.sql": "CREATE TABLE never (x int);",
        },
      })
      await expect(runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })).rejects.toThrow(
        /0002_bad\.sql failed.*no_such_table/,
      )
      const names = await sql<{ name: string }[]>`SELECT name FROM public._migrations ORDER BY name`
      expect(names.map((r) => r.name)).toEqual(["migrations/0001_ok.sql"])
      const tables = await sql<{ half: string | null; never: string | null }[]>`
        SELECT to_regclass('public.half')::text AS half, to_regclass('public.never')::text AS never`
      expect(tables[0]).toEqual({ half: null, never: null })
    }))

  test("a no-transaction file runs statement by statement (CREATE INDEX CONCURRENTLY)", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({
        migrations: {
          "0001_t.sql": "CREATE TABLE t (x int);",
          "0002_idx.sql":
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);\nCREATE INDEX CONCURRENTLY t_x2 ON t ((x * 2));",
        },
      })
      const result = await runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })
      expect(result.applied).toHaveLength(2)
      const idx = await sql<{ indexname: string }[]>`SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1`
      expect(idx.map((r) => r.indexname)).toEqual(["t_x", "t_x2"])
    }))

  test("concurrent runners apply each file exactly once", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({
        migrations: { "0001_a.sql": "CREATE TABLE a (x int);", "0002_b.sql": "INSERT INTO a VALUES (1);" },
      })
      const results = await Promise.all([1, 2, 3].map(() => runPostgresMigrations(sql, { dirs, seeds: false, logger: silent })))
      expect(results.flatMap((r) => r.applied).sort()).toEqual(["migrations/0001_a.sql", "migrations/0002_b.sql"])
      const [count] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM a`
      expect(count!.n).toBe(1n)
    }))

  test("calls the seed loader after the files", () =>
    withDb(async ({ sql }) => {
      const dirs = makeDirs({ migrations: { "0001_a.sql": "CREATE TABLE seeded (x int);" } })
      const result = await runPostgresMigrations(sql, {
        dirs,
        logger: silent,
        seeds: async (s) => {
          await s`INSERT INTO seeded VALUES (7) `
        },
      })
      expect(result.seeded).toBe(true)
      const rows = await sql<{ x: number }[]>`SELECT x FROM seeded`
      expect(rows.map((r) => r.x)).toEqual([7])
    }))
})

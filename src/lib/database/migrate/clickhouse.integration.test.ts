import { afterAll, describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createLogger } from "../../monitoring/logger.ts"
import { createTestClickhouse } from "../testing.ts"
import { runClickhouseMigrations } from "./clickhouse.ts"
import type { MigrationDir } from "./files.ts"

const silent = createLogger({ level: "silent" })
const root = mkdtempSync(join(tmpdir(), "raidhub-migrate-ch-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function makeDirs(migrations: Record<string, string>, views: Record<string, string> = {}): MigrationDir[] {
  const base = mkdtempSync(join(root, "case-"))
  return (
    [
      ["migrations", migrations],
      ["views", views],
    ] as const
  ).map(([group, files]) => {
    const dir = join(base, group)
    mkdirSync(dir)
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
    return { group, dir, repeatable: group === "views" }
  })
}

describe("runClickhouseMigrations (embedded chdb)", () => {
  test("applies multi-statement files in the test database, re-run is a no-op, edits are refused", async () => {
    const ch = await createTestClickhouse()
    try {
      const dirs = makeDirs(
        {
          "0001_t.sql":
            "-- table; with a comment\nCREATE TABLE IF NOT EXISTS events (id Int64, note String) ENGINE = MergeTree ORDER BY id;\n" +
            "CREATE TABLE IF NOT EXISTS totals (id Int64, n UInt64) ENGINE = SummingMergeTree ORDER BY id;",
        },
        { "0001_mv.sql": "CREATE MATERIALIZED VIEW IF NOT EXISTS totals_mv TO totals AS SELECT id, count() AS n FROM events GROUP BY id;" },
      )
      const first = await runClickhouseMigrations(ch.client, { dirs, logger: silent })
      expect(first.applied).toEqual(["migrations/0001_t.sql", "views/0001_mv.sql"])

      await ch.client.insert({ table: "events", values: [{ id: "9223372036854775807", note: "a;b" }], format: "JSONEachRow" })
      const rs = await ch.client.query({ query: "SELECT id, sum(n) AS n FROM totals GROUP BY id", format: "JSONEachRow" })
      expect(await rs.json()).toEqual([{ id: "9223372036854775807", n: "1" }])

      // Tables live in the test database, not in default.
      const tables = await ch.client.query({
        query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name",
        format: "JSONEachRow",
      })
      expect((await tables.json<{ name: string }>()).map((t) => t.name)).toEqual(["_migrations", "events", "totals", "totals_mv"])

      const second = await runClickhouseMigrations(ch.client, { dirs, logger: silent })
      expect(second).toEqual({ applied: [], skipped: 2 })

      writeFileSync(join(dirs[0]!.dir, "0001_t.sql"), "CREATE TABLE IF NOT EXISTS events (id Int64) ENGINE = Memory;")
      await expect(runClickhouseMigrations(ch.client, { dirs, logger: silent })).rejects.toThrow(/migrations\/0001_t\.sql.*edited/)
    } finally {
      await ch.drop()
    }
  })

  test("an edited views file is applied again, recorded once more, and then skipped", async () => {
    const ch = await createTestClickhouse()
    try {
      const view = (weight: number) =>
        `DROP VIEW IF EXISTS totals_mv;\nCREATE MATERIALIZED VIEW totals_mv TO totals AS SELECT id, ${weight} * count() AS n FROM events GROUP BY id;`
      const dirs = makeDirs(
        {
          "0001_t.sql":
            "CREATE TABLE IF NOT EXISTS events (id Int64) ENGINE = MergeTree ORDER BY id;\n" +
            "CREATE TABLE IF NOT EXISTS totals (id Int64, n UInt64) ENGINE = SummingMergeTree ORDER BY id;",
        },
        { "0001_mv.sql": view(10) },
      )
      await runClickhouseMigrations(ch.client, { dirs, logger: silent })
      // Only the edited definition (weight 1) may be live afterwards.
      writeFileSync(join(dirs[1]!.dir, "0001_mv.sql"), view(1))
      const again = await runClickhouseMigrations(ch.client, { dirs, logger: silent })
      expect(again.applied).toEqual(["views/0001_mv.sql"])
      await ch.client.insert({ table: "events", values: [{ id: "7" }], format: "JSONEachRow" })
      const rs = await ch.client.query({ query: "SELECT id, sum(n) AS n FROM totals GROUP BY id", format: "JSONEachRow" })
      expect(await rs.json()).toEqual([{ id: "7", n: "1" }])
      expect(await runClickhouseMigrations(ch.client, { dirs, logger: silent })).toEqual({ applied: [], skipped: 2 })
    } finally {
      await ch.drop()
    }
  })

  test("a failing file is not recorded and names the file and statement", async () => {
    const ch = await createTestClickhouse()
    try {
      const dirs = makeDirs({ "0001_bad.sql": "CREATE TABLE IF NOT EXISTS ok (x Int8) ENGINE = Memory; SELECT * FROM missing_table;" })
      await expect(runClickhouseMigrations(ch.client, { dirs, logger: silent })).rejects.toThrow(/0001_bad\.sql failed at statement 2\/2/)
      const rs = await ch.client.query({ query: "SELECT count() AS n FROM _migrations", format: "JSONEachRow" })
      expect(await rs.json()).toEqual([{ n: "0" }])
    } finally {
      await ch.drop()
    }
  })

  test("two test databases are isolated from each other", async () => {
    const [a, b] = await Promise.all([createTestClickhouse(), createTestClickhouse()])
    try {
      await a.client.command({ query: "CREATE TABLE only_in_a (x Int8) ENGINE = Memory" })
      await b.client.command({ query: "CREATE TABLE only_in_b (x Int8) ENGINE = Memory" })
      const list = async (c: typeof a) =>
        (await (await c.client.query({ query: "SHOW TABLES", format: "JSONEachRow" })).json<{ name: string }>()).map((r) => r.name)
      expect(await list(a)).toEqual(["only_in_a"])
      expect(await list(b)).toEqual(["only_in_b"])
    } finally {
      await Promise.all([a.drop(), b.drop()])
    }
  })
})

import { afterAll, describe, expect, test } from "bun:test"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createTestDatabase, findFreePort } from "../lib/database/testing.ts"
import { runMigrateTool } from "./migrate.ts"

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), "raidhub-migrate-tool-"))
chmodSync(dataDir, 0o755)
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe("bun run migrate", () => {
  test("--help, bad flags and bad config", async () => {
    const out: string[] = []
    expect(await runMigrateTool(["--help"], {}, (l) => out.push(l))).toBe(0)
    expect(out.join("\n")).toContain("--dry-run")
    const errors: string[] = []
    const fail = (argv: string[], env: Record<string, string> = {}) =>
      runMigrateTool(
        argv,
        env,
        () => {},
        (l) => errors.push(l),
      )
    expect(await fail(["--bogus"])).toBe(2)
    expect(await fail(["--postgres-only", "--clickhouse-only"])).toBe(2)
    expect(await fail([], { DATABASE_URL: "not-a-url" })).toBe(2)
    expect(errors[0]).toBe("migrate: unknown flag --bogus (see --help)")
    expect(errors[1]).toBe("migrate: --postgres-only and --clickhouse-only exclude each other")
    expect(errors[2]).toContain('DATABASE_URL="not-a-url"')
    expect(errors).toHaveLength(3)
  })

  test("an unreachable database: one line naming DATABASE_URL, exit 2", async () => {
    const errors: string[] = []
    const port = await findFreePort()
    const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/raidhub`, LOG_LEVEL: "silent" }
    expect(
      await runMigrateTool(
        ["--postgres-only"],
        env,
        () => {},
        (l) => errors.push(l),
      ),
    ).toBe(2)
    expect(errors).toEqual([
      `migrate: postgres at 127.0.0.1:${port} unreachable (connection refused): check DATABASE_URL or --database-url`,
    ])
  })

  test("DATABASE_URL: applies the repo's schema, then is a no-op", async () => {
    const db = await createTestDatabase()
    try {
      const env = { DATABASE_URL: db.url, LOG_LEVEL: "silent" }
      const dry: string[] = []
      expect(await runMigrateTool(["--postgres-only", "--dry-run"], env, (l) => dry.push(l))).toBe(0)
      expect(dry[0]).toMatch(/^postgres \(DATABASE_URL\): \d+ pending, 0 already applied$/)
      const pendingCount = Number(/: (\d+) pending/.exec(dry[0]!)![1])

      const first: string[] = []
      expect(await runMigrateTool(["--postgres-only"], env, (l) => first.push(l))).toBe(0)
      expect(first[0]).toBe(`postgres (DATABASE_URL): ${pendingCount} applied, 0 already applied`)
      const [recorded] = await db.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM public._migrations`
      expect(recorded!.n).toBe(BigInt(pendingCount))

      const second: string[] = []
      expect(await runMigrateTool(["--postgres-only"], env, (l) => second.push(l))).toBe(0)
      expect(second[0]).toBe(`postgres (DATABASE_URL): 0 applied, ${pendingCount} already applied`)
    } finally {
      await db.drop()
    }
  })

  test("no database env: embedded Postgres and chdb under DATA_DIR, twice", async () => {
    const port = await findFreePort()
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(port),
      LOG_LEVEL: "warn",
    }
    const run = () => {
      // A separate process: libchdb allows one data directory per process, and this test process has its own.
      const proc = Bun.spawnSync([process.execPath, "src/tools/migrate.ts"], { cwd: repoRoot, env, stdout: "pipe", stderr: "pipe" })
      return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() }
    }
    const first = run()
    expect(first.stderr).toBe("")
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^postgres \(embedded\): \d+ applied, 0 already applied$/m)
    expect(first.stdout).toMatch(/^clickhouse \(embedded, database raidhub\): \d+ applied, 0 already applied$/m)

    const second = run()
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/^postgres \(embedded\): 0 applied, \d+ already applied$/m)
    expect(second.stdout).toMatch(/^clickhouse \(embedded, database raidhub\): 0 applied, \d+ already applied$/m)
  })
})

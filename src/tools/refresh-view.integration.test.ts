import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../lib/database/testing.ts"
import { runToolMain } from "./main.ts"
import type { ToolIo } from "./tool.ts"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  // A view without a unique index, created empty, and a cache view that reads it: the tool must
  // refresh the first blocking (CONCURRENTLY is impossible) and the second after it.
  await db.sql.unsafe(`
    CREATE TABLE public.zz_source (x integer);
    INSERT INTO public.zz_source VALUES (1), (2);
    CREATE MATERIALIZED VIEW leaderboard.zz_plain AS SELECT 10 / x AS y FROM public.zz_source WITH NO DATA;
    CREATE MATERIALIZED VIEW cache.zz_reads_plain AS SELECT count(*) AS n FROM leaderboard.zz_plain WITH NO DATA;`)
})

afterAll(async () => {
  await db?.drop()
})

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: { DATABASE_URL: db.url, LOG_LEVEL: "silent" } }
}

/** [view, mode] of each per-view line, in the order printed. */
function refreshed(lines: readonly string[]): [string, string][] {
  return lines.filter((l) => l.endsWith(" ms") && !l.includes("refreshed in")).map((l) => l.split(/\s+/).slice(0, 2) as [string, string])
}

describe("refresh-view", () => {
  test("--all refreshes every view in dependency order, caches first, concurrently where it can", async () => {
    const io = captureIo()
    expect(await runToolMain(["refresh-view", "--all"], io)).toBe(0)
    expect(io.stderr).toEqual([])
    const lines = refreshed(io.stdout)
    const names = lines.map(([name]) => name)
    expect(names.slice(0, 2)).toEqual(["cache._global_leaderboard_cache", "cache._individual_activity_leaderboard_cache"])
    expect(names.indexOf("cache.zz_reads_plain")).toBeGreaterThan(names.indexOf("leaderboard.zz_plain"))
    expect(new Set(names)).toEqual(
      new Set([
        "cache._global_leaderboard_cache",
        "cache._individual_activity_leaderboard_cache",
        "cache.zz_reads_plain",
        "leaderboard.clan_leaderboard",
        "leaderboard.individual_global_leaderboard",
        "leaderboard.individual_pantheon_version_leaderboard",
        "leaderboard.individual_raid_leaderboard",
        "leaderboard.team_activity_version_leaderboard",
        "leaderboard.team_pantheon_custom_race_leaderboard",
        "leaderboard.world_first_contest_leaderboard",
        "leaderboard.zz_plain",
      ]),
    )
    const modes = Object.fromEntries(lines)
    expect(modes["leaderboard.zz_plain"]).toBe("blocking")
    expect(modes["cache.zz_reads_plain"]).toBe("blocking")
    expect(modes["leaderboard.team_pantheon_custom_race_leaderboard"]).toBe("concurrently")
    expect(io.stdout.at(-1)).toMatch(/^11 views refreshed in \d+ ms$/)
    const [row] = await db.sql`SELECT n FROM cache.zz_reads_plain`
    expect(Number(row!.n)).toBe(2)
  })

  test("named views are refreshed alone, still in refresh order", async () => {
    const io = captureIo()
    expect(await runToolMain(["refresh-view", "team_activity_version_leaderboard", "cache._global_leaderboard_cache"], io)).toBe(0)
    expect(refreshed(io.stdout)).toEqual([
      ["cache._global_leaderboard_cache", "concurrently"],
      ["leaderboard.team_activity_version_leaderboard", "concurrently"],
    ])
  })

  test("bad usage is one line and exit 2", async () => {
    for (const argv of [[], ["--all", "cache._global_leaderboard_cache"], ["--everything"], ["no_such_view"], ["bad name!"]]) {
      const io = captureIo()
      expect({ argv, code: await runToolMain(["refresh-view", ...argv], io) }).toEqual({ argv, code: 2 })
      expect(io.stderr).toHaveLength(1)
      expect(io.stderr[0]).toStartWith("refresh-view: ")
      expect(io.stdout).toEqual([])
    }
  })

  test("--help prints the usage", async () => {
    const io = captureIo()
    expect(await runToolMain(["refresh-view", "--help"], io)).toBe(0)
    expect(io.stdout.join("\n")).toContain("--all")
  })

  test("a failing refresh names the view and exits 1", async () => {
    await db.sql`UPDATE public.zz_source SET x = 0 WHERE x = 2`
    const io = captureIo()
    expect(await runToolMain(["refresh-view", "leaderboard.zz_plain"], io)).toBe(1)
    expect(io.stderr).toEqual([expect.stringMatching(/^refresh-view: refresh failed: leaderboard\.zz_plain: division by zero/)])
  })
})

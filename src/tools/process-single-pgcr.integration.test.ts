/**
 * The tool end to end: spawned through `bun run tool` for the dry run (stdout JSON, exit codes),
 * and in-process against a real, migrated Postgres database for the store path.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { createTestDatabase, findFreePort, type TestDatabase } from "../lib/database/testing.ts"
import { PGCR_FIXTURES_DIR } from "../lib/fixtures-path.ts"
import { findInstanceProblems } from "../lib/pgcr/invariants.ts"
import type { ProcessedInstance } from "../lib/pgcr/types.ts"
import { tool } from "./process-single-pgcr.ts"
import type { ToolIo } from "./tool.ts"

const REPO = resolve(import.meta.dir, "..", "..")
// Spawning Bun and talking to Postgres can be slow on a machine shared by concurrent test runs.
const SLOW_TEST_TIMEOUT_MS = 60_000
const fixture = (name: string) => join(PGCR_FIXTURES_DIR, name)

async function spawnTool(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn([process.execPath, "run", "tool", ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: process.env })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, stdout, stderr }
}

function captureIo(env: Record<string, string | undefined> = {}): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env }
}

describe("process-single-pgcr --dry-run (spawned)", () => {
  test(
    "a raid fixture (envelope, Bungie literals) prints the processed instance",
    async () => {
      const { code, stdout } = await spawnTool(["process-single-pgcr", "--file", fixture("7315438924.json"), "--dry-run"])
      expect(code).toBe(0)
      const instance = JSON.parse(stdout) as ProcessedInstance
      expect(instance.instanceId).toBe("7315438924")
      expect(instance.playerCount).toBe(10)
      expect(instance.durationSeconds).toBe(77731)
      expect(typeof instance.players[0]!.player.membershipId).toBe("string")
      expect(instance.players[0]!.player.membershipId).toBe("4611686018440744095")
      expect(findInstanceProblems(instance)).toEqual([])
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    "a bare Response with JavaScript literals, and Pantheon",
    async () => {
      const bare = await spawnTool(["process-single-pgcr", "--file", fixture("17091200569.json"), "--dry-run"])
      expect(bare.code).toBe(0)
      expect(JSON.parse(bare.stdout)).toMatchObject({ instanceId: "17091200569", playerCount: 2, completed: false })
      const pantheon = await spawnTool(["process-single-pgcr", "--file", fixture("14880666670.json"), "--dry-run"])
      expect(pantheon.code).toBe(0)
      expect(JSON.parse(pantheon.stdout)).toMatchObject({ instanceId: "14880666670", hash: 4169648182, playerCount: 7 })
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    "a non-raid prints one JSON line and exits 0",
    async () => {
      const { code, stdout } = await spawnTool(["process-single-pgcr", "--file", fixture("15897664962.json"), "--dry-run"])
      expect(code).toBe(0)
      expect(stdout.trim().split("\n").length).toBe(1)
      expect(JSON.parse(stdout)).toEqual({
        kind: "nonRaid",
        instanceId: "15897664962",
        mode: 82,
        hash: 3521648250,
        dateCompleted: "2025-02-13T05:17:26.000Z",
        unknownRaidHash: false,
      })
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    "a bad file exits non-zero with the reason on stderr",
    async () => {
      const dataset = await spawnTool(["process-single-pgcr", "--file", fixture("15780000000.json"), "--dry-run"])
      expect(dataset.code).toBe(1)
      expect(dataset.stdout).toBe("")
      expect(dataset.stderr).toContain("notApiFormat: PGCR: top-level '_id'/'archived' keys")
      const notFound = await spawnTool(["process-single-pgcr", "--file", fixture("error-1653-DestinyPGCRNotFound.json"), "--dry-run"])
      expect(notFound.code).toBe(1)
      expect(notFound.stderr).toContain("ErrorCode 1653 DestinyPGCRNotFound")
    },
    SLOW_TEST_TIMEOUT_MS,
  )
})

describe("process-single-pgcr in process", () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "process-single-pgcr-"))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test("unreadable, non-JSON and incomplete files fail with a reason", async () => {
    let io = captureIo()
    expect(await tool.run(["--file", join(dir, "missing.json"), "--dry-run"], io)).toBe(1)
    expect(io.stderr.join("\n")).toContain("cannot read")

    writeFileSync(join(dir, "truncated.json"), '{"Response": {"period": "2024-01-0')
    io = captureIo()
    expect(await tool.run(["--file", join(dir, "truncated.json"), "--dry-run"], io)).toBe(1)
    expect(io.stderr.join("\n")).toContain("not JSON")

    const body = JSON.parse(await Bun.file(fixture("13951743181.json")).text())
    body.Response.entries = body.Response.entries.slice(0, 2)
    writeFileSync(join(dir, "early.json"), JSON.stringify(body))
    io = captureIo()
    expect(await tool.run(["--file", join(dir, "early.json"), "--dry-run"], io)).toBe(1)
    expect(io.stderr.join("\n")).toContain("incomplete: entries[0].values.playerCount: says 6 but only 2 entries arrived")
    expect(io.stdout).toEqual([])
  })

  test("argument errors: one line naming the problem, exit 2", async () => {
    const cases: [string[], string][] = [
      [[], "give either an instance id or --file <path>"],
      [["12", "--file", "x"], "give either"],
      [["abc"], 'not an instance id: "abc"'],
      [["--file"], "flag --file needs a value"],
      [["--file="], "--file needs a path"],
      [["12", "13"], "at most 1 instanceId argument"],
      [["12", "--bogus"], "unknown flag --bogus"],
      [["12", "--database-url=nope"], 'DATABASE_URL (--database-url)="nope": malformed URL'],
    ]
    for (const [argv, message] of cases) {
      const io = captureIo()
      expect(await tool.run(argv, io)).toBe(2)
      expect(io.stderr).toHaveLength(1)
      expect(io.stderr[0]).toStartWith("process-single-pgcr: ")
      expect(io.stderr[0]).toContain(message)
    }
  })

  test("an unreachable database: one line naming DATABASE_URL, exit 2, after one attempt", async () => {
    const port = await findFreePort()
    const io = captureIo()
    const code = await tool.run(["--file", fixture("13951743181.json"), `--database-url=postgres://postgres@127.0.0.1:${port}/raidhub`], io)
    expect(code).toBe(2)
    expect(io.stderr).toEqual([
      `process-single-pgcr: postgres at 127.0.0.1:${port} unreachable (connection refused): check DATABASE_URL or --database-url`,
    ])
  })
})

describe("process-single-pgcr <instanceId> (fetched from a scripted Bungie on port 0)", () => {
  let server: ReturnType<typeof Bun.serve>
  beforeAll(async () => {
    const raid = await Bun.file(fixture("13951743181.json")).bytes()
    const notFound = await Bun.file(fixture("error-1653-DestinyPGCRNotFound.json")).bytes()
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request) {
        const path = new URL(request.url).pathname
        if (path === "/Platform/Destiny2/Stats/PostGameCarnageReport/13951743181/" || path.endsWith("/77/")) {
          // 77 answers with another instance's PGCR.
          return new Response(raid, { headers: { "content-type": "application/json" } })
        }
        return new Response(notFound, { status: 404, headers: { "content-type": "application/json" } })
      },
    })
  })
  afterAll(() => server?.stop(true))

  test("fetches, processes and prints with --dry-run", async () => {
    const io = captureIo()
    const code = await tool.run(["13951743181", "--dry-run", `--bungie-base-url=http://127.0.0.1:${server.port}`], io)
    expect(io.stderr.filter((l) => !l.startsWith("process-single-pgcr: {"))).toEqual([])
    expect(code).toBe(0)
    expect(JSON.parse(io.stdout.join("\n"))).toMatchObject({ instanceId: "13951743181", playerCount: 6, flawless: true })
  })

  test("a PGCR that is not the one asked for is refused", async () => {
    const io = captureIo()
    expect(await tool.run(["77", "--dry-run", `--bungie-base-url=http://127.0.0.1:${server.port}`], io)).toBe(1)
    expect(io.stderr.join("\n")).toContain("asked for instance 77 but the PGCR is instance 13951743181")
  })

  test("a PGCR Bungie does not have exits 1 with Bungie's code", async () => {
    const io = captureIo()
    expect(await tool.run(["13951743182", "--dry-run", `--bungie-base-url=http://127.0.0.1:${server.port}`], io)).toBe(1)
    expect(io.stderr.join("\n")).toContain("notFound (HTTP 404, ErrorCode 1653 DestinyPGCRNotFound")
  })
})

describe("process-single-pgcr --file stores into Postgres", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
  }, SLOW_TEST_TIMEOUT_MS)
  afterAll(async () => {
    await db?.drop()
  }, SLOW_TEST_TIMEOUT_MS)

  test(
    "stores once, then reports the duplicate",
    async () => {
      const args = ["--file", fixture("13951743181.json"), `--database-url=${db.url}`]
      let io = captureIo()
      expect(await tool.run(args, io)).toBe(0)
      expect(JSON.parse(io.stdout[0]!)).toMatchObject({ kind: "raid", instanceId: "13951743181", outcome: "stored" })
      const rows =
        await db.sql`select player_count, completed, fresh, flawless, duration from core.instance where instance_id = 13951743181`
      expect(rows.map((r) => ({ ...r }))).toEqual([{ player_count: 6, completed: true, fresh: true, flawless: true, duration: 1914 }])
      const characters = await db.sql`select count(*)::int as count from extended.instance_character where instance_id = 13951743181`
      expect(characters[0]!.count).toBe(6)

      io = captureIo()
      expect(await tool.run(args, io)).toBe(0)
      expect(JSON.parse(io.stdout[0]!)).toMatchObject({ outcome: "duplicate" })
    },
    SLOW_TEST_TIMEOUT_MS,
  )
})

/**
 * `cheat-check` in-process: a stored instance against a real Postgres prints the same verdict the
 * worker would compute and writes nothing; a PGCR file needs no database; bad input exits 1 or 2.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { checkInstance } from "../lib/cheat/check-instance.ts"
import { DEFAULT_HEURISTICS } from "../lib/cheat/heuristics-table.ts"
import { CHEAT_CHECK_VERSION } from "../lib/cheat/reporting.ts"
import { type VerdictJson, verdictToJson } from "../lib/cheat/verdict-json.ts"
import { loadCheatInstance } from "../lib/database/cheat-input-loader.ts"
import { storeInstances } from "../lib/database/instance-store.ts"
import { createTestDatabase, type TestDatabase } from "../lib/database/testing.ts"
import { PGCR_FIXTURES_DIR } from "../lib/fixtures-path.ts"
import { generateSyntheticInstances } from "../lib/pgcr/synthetic.ts"
import { tool } from "./cheat-check.ts"
import type { ToolIo } from "./tool.ts"

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} }
}

describe("cheat-check <instanceId>", () => {
  let db: TestDatabase
  const items = generateSyntheticInstances({ count: 30, playerPool: 20, seed: 31, firstInstanceId: "15200000000" })
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    await storeInstances(db.sql, items)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test("prints the worker's verdict (bits by name) for every stored run, and writes no flag", async () => {
    let flagged = 0
    for (const item of items) {
      const io = captureIo()
      expect(await tool.run([item.instance.instanceId, `--database-url=${db.url}`], io)).toBe(0)
      const printed = JSON.parse(io.stdout.join("\n")) as VerdictJson
      const input = await loadCheatInstance(db.sql, BigInt(item.instance.instanceId))
      expect(printed).toEqual(
        JSON.parse(JSON.stringify(verdictToJson(checkInstance(input!, DEFAULT_HEURISTICS, CHEAT_CHECK_VERSION)))) as VerdictJson,
      )
      if (printed.instance.flagged) flagged++
    }
    expect(flagged).toBeGreaterThan(0)
    const [rows] = await db.sql`
      select (select count(*) from flagging.flag_instance)::int + (select count(*) from flagging.flag_instance_player)::int
        + (select count(*) from flagging.blacklist_instance)::int as n`
    expect(rows!.n).toBe(0)
  })

  test("an instance that is not stored exits 1", async () => {
    const io = captureIo()
    expect(await tool.run(["15299999999", `--database-url=${db.url}`], io)).toBe(1)
    expect(io.stderr).toEqual(["cheat-check: instance 15299999999 is not stored"])
  })
})

describe("cheat-check --file", () => {
  test("a raid PGCR: the verdict with bits by name, no database needed", async () => {
    const io = captureIo()
    expect(await tool.run(["--file", join(PGCR_FIXTURES_DIR, "7315438924.json")], io)).toBe(0)
    const printed = JSON.parse(io.stdout.join("\n")) as VerdictJson
    expect(printed.instanceId).toBe("7315438924")
    expect(printed.version).toBe(CHEAT_CHECK_VERSION)
    expect(printed.instance.bits).toContain("DeepStoneCrypt")
    expect(printed.players.length).toBeGreaterThan(0)
  })

  test("bad usage exits 2; an error body exits 1", async () => {
    for (const argv of [[], ["12", "--file", "x.json"], ["abc"], ["12", "--weapons-from-db"]]) {
      expect(await tool.run(argv, captureIo())).toBe(2)
    }
    const io = captureIo()
    expect(await tool.run(["--file", join(PGCR_FIXTURES_DIR, "error-1653-DestinyPGCRNotFound.json")], io)).toBe(1)
    expect(io.stderr.join("\n")).toContain("cheat-check:")
  })
})

/**
 * The tool set: every tool's --help, a bad argument (one line, exit 2), and the tools of this
 * file against Postgres and the simulator: log-raw-pgcr, seed, flag-restricted-pgcrs,
 * update-skull-hashes and fix-malformed-pgcrs (which must not count a replaced instance twice).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { fixSherpaClears } from "../apps/bob/fix-sherpa-clears.ts"
import { storeInstances } from "../lib/database/instance-store.ts"
import { createTestDatabase, type TestDatabase } from "../lib/database/testing.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { readPgcrFixtureText } from "../lib/fixtures.ts"
import { fetchAndProcess } from "../lib/jobs/fetch-and-process.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { jobTestConfig, jobTestEnv } from "../lib/jobs/testing/job-config.ts"
import { storeSimRaids } from "../lib/jobs/testing/store-sim-raids.ts"
import { processPgcr } from "../lib/pgcr/process.ts"
import { type SimHandle, startSim } from "../sim/server.ts"
import { TOOLS } from "./registry.ts"
import type { ToolIo } from "./tool.ts"

const SLOW = 60_000
let db: TestDatabase
let sim: SimHandle

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  sim = await startSim({ seed: 11, scenario: "backfill", world: { raidShare: 0.4 } })
}, SLOW)
afterAll(async () => {
  await sim?.stop()
  await db?.drop()
}, SLOW)

function captureIo(env: Record<string, string> = {}): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env }
}

async function runTool(name: string, argv: string[]) {
  const tool = await TOOLS.find((t) => t.name === name)!.load()
  const io = captureIo(jobTestEnv(db.url, sim.url))
  const code = await tool.run(argv, io)
  return { code, stdout: io.stdout, stderr: io.stderr }
}

/** Stores a fixture; `edit` may change its text first (e.g. to add skulls). */
function storeFixture(name: string, edit: (text: string) => string = (t) => t) {
  const text = edit(readPgcrFixtureText(name))
  const result = processPgcr(JSON.parse(text).Response, loadDefinitions())
  if (result.kind !== "raid") throw new Error(`${name} is not a raid`)
  return storeInstances(db.sql, [
    { instance: result.instance, activityId: result.activityId, versionId: result.versionId, raw: new TextEncoder().encode(text) },
  ])
}

describe("every tool", () => {
  test(
    "--help prints its usage; an unknown flag is one line and exit 2",
    async () => {
      for (const entry of TOOLS) {
        const tool = await entry.load()
        let io = captureIo()
        expect(await tool.run(["--help"], io)).toBe(0)
        expect(io.stdout.join("\n")).toContain(entry.name)
        io = captureIo()
        expect(await tool.run(["--no-such-flag"], io)).toBe(2)
        expect(io.stderr).toHaveLength(1)
        expect(io.stderr[0]).toMatch(/unknown (flag|option|argument)/)
      }
    },
    SLOW,
  )

  test("bad arguments: one line naming the problem, exit 2", async () => {
    const cases: [string, string[], string][] = [
      ["log-raw-pgcr", ["12ab"], 'log-raw-pgcr: not an instance id: "12ab"'],
      ["flag-restricted-pgcrs", [], "flag-restricted-pgcrs: give the activity hash"],
      ["update-skull-hashes", ["935938264", "--from", "20", "--to", "10"], "update-skull-hashes: --from is above --to"],
      ["fix-malformed-pgcrs", ["-5"], "fix-malformed-pgcrs: unknown flag -5 (see --help)"],
      ["fix-malformed-pgcrs", ["0x1"], 'fix-malformed-pgcrs: not an instance id: "0x1"'],
      [
        "process-missed-pgcrs",
        ["--batch-size", "0"],
        'process-missed-pgcrs: --batch-size "0": out of range: expected an integer in [1, 5000] (see --help)',
      ],
    ]
    for (const [name, argv, message] of cases) {
      const result = await runTool(name, argv)
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 2, stderr: [message] })
    }
  })
})

describe("tools against Postgres and the simulator", () => {
  test(
    "log-raw-pgcr prints the stored PGCR decoded; exit 1 when none is stored",
    async () => {
      await storeFixture("13951743181.json")
      const printed = await runTool("log-raw-pgcr", ["13951743181"])
      expect(printed.code).toBe(0)
      // The store keeps Bungie's bytes (the envelope, or only its Response body): either way the
      // printed PGCR is the fixture's Response, byte for byte in its values.
      const body = (text: string) => {
        const json = JSON.parse(text)
        return json.Response ?? json
      }
      expect(body(printed.stdout.join("\n"))).toEqual(body(readPgcrFixtureText("13951743181.json")))
      const pretty = await runTool("log-raw-pgcr", ["13951743181", "--pretty"])
      expect(pretty.stdout.join("\n")).toContain("\n  ")
      expect(body(pretty.stdout.join("\n")).activityDetails.instanceId).toBe("13951743181")
      const missing = await runTool("log-raw-pgcr", ["42"])
      expect(missing).toMatchObject({ code: 1, stderr: ["log-raw-pgcr: no raw PGCR stored for instance 42"] })
    },
    SLOW,
  )

  test(
    "seed: nothing to change after migrate; an edited definition is restored (dry run first)",
    async () => {
      let result = await runTool("seed", [])
      expect(JSON.parse(result.stdout.at(-1)!)).toMatchObject({ changed: 0, dryRun: false })
      await db.sql`update definitions.activity_definition set name = 'edited' where id = 9`
      result = await runTool("seed", ["--dry-run"])
      expect(JSON.parse(result.stdout.at(-1)!)).toMatchObject({ changed: 1, dryRun: true })
      expect((await db.sql`select name from definitions.activity_definition where id = 9`)[0]!.name).toBe("edited")
      result = await runTool("seed", [])
      expect(JSON.parse(result.stdout.at(-1)!)).toMatchObject({ changed: 1 })
      expect((await db.sql`select name from definitions.activity_definition where id = 9`)[0]!.name).toBe("Vault of Glass")
    },
    SLOW,
  )

  test(
    "update-skull-hashes back-fills the skulls of the raw PGCR; a second run changes nothing",
    async () => {
      // A raid PGCR with skulls Bungie repeats and pads with 0 (stored deduplicated, sorted, no 0).
      await storeFixture("10902450421.json", (t) =>
        t.replace('"activityDetails"', '"selectedSkullHashes": [3830595819, 0, 550488408, 3830595819], "activityDetails"'),
      )
      const [row] = await db.sql<
        { hash: string; skulls: string[] }[]
      >`select hash::text, skull_hashes::text[] as skulls from core.instance where instance_id = 10902450421`
      expect(row!.skulls).toEqual(["550488408", "3830595819"])
      await db.sql`update core.instance set skull_hashes = '{}' where instance_id = 10902450421`
      let result = await runTool("update-skull-hashes", [row!.hash, "--dry-run"])
      expect(JSON.parse(result.stdout[0]!)).toEqual({ scanned: 1, changed: 1, unreadable: 0, dryRun: true })
      result = await runTool("update-skull-hashes", [row!.hash, "--from", "10902450421", "--to", "10902450421"])
      expect(JSON.parse(result.stdout[0]!)).toEqual({ scanned: 1, changed: 1, unreadable: 0, dryRun: false })
      const [fixed] = await db.sql<
        { skulls: string[] }[]
      >`select skull_hashes::text[] as skulls from core.instance where instance_id = 10902450421`
      expect(fixed!.skulls).toEqual(["550488408", "3830595819"])
      result = await runTool("update-skull-hashes", [row!.hash])
      expect(JSON.parse(result.stdout[0]!).changed).toBe(0)
    },
    SLOW,
  )

  test(
    "flag-restricted-pgcrs: instances Bungie still withholds are flagged RestrictedPGCR and blacklisted",
    async () => {
      const start = BigInt(sim.truth.frontier().startId)
      const truth = sim.truth.range(start - 400n, start).filter((e) => e.state === "published" && e.kind === "raid")
      const defs = loadDefinitions()
      const bungie = createJobBungie(jobTestConfig(db.url, sim.url), { client: "t", concurrency: 8 })
      const items = []
      for (const e of truth) {
        const out = await fetchAndProcess(bungie, BigInt(e.id), defs)
        if (out.kind === "raid") items.push(out.item)
      }
      bungie.close()
      await storeInstances(db.sql, items)
      // The hash with the most completed stored instances.
      const [top] = await db.sql<{ hash: string; ids: string[] }[]>`
        select hash::text, array_agg(instance_id::text order by instance_id) as ids from core.instance
        where completed and instance_id < ${start.toString()}::bigint group by hash order by count(*) desc, hash limit 1`
      const withheld = top!.ids.slice(Math.floor(top!.ids.length / 2))
      sim.controls.closeFloodgates({ hashes: [Number(top!.hash)], fromId: withheld[0]! })
      try {
        const dry = await runTool("flag-restricted-pgcrs", [top!.hash, "--dry-run"])
        expect(JSON.parse(dry.stdout.at(-1)!)).toMatchObject({ checked: top!.ids.length, restricted: withheld.length, flagged: 0 })
        const result = await runTool("flag-restricted-pgcrs", [top!.hash])
        expect(result.stdout.slice(0, -1)).toEqual(withheld)
        expect(JSON.parse(result.stdout.at(-1)!)).toMatchObject({
          restricted: withheld.length,
          flagged: withheld.length,
          available: top!.ids.length - withheld.length,
        })
      } finally {
        sim.controls.openFloodgates()
      }
      const blacklisted = await db.sql<
        { id: string; reason: string }[]
      >`select instance_id::text as id, reason from flagging.blacklist_instance order by 1`
      expect(blacklisted.map((b) => ({ ...b }))).toEqual(withheld.map((id) => ({ id, reason: "Restricted PGCR" })))
      const flags = await db.sql<
        { mask: bigint; p: string }[]
      >`select cheat_check_bitmask as mask, cheat_probability::text as p from flagging.flag_instance`
      expect(flags).toHaveLength(withheld.length)
      for (const f of flags) {
        expect(f.mask & (1n << 46n)).toBe(1n << 46n)
        expect(f.p).toBe("1")
      }
      expect(await runTool("flag-restricted-pgcrs", ["123"])).toMatchObject({
        code: 2,
        stderr: ["flag-restricted-pgcrs: activity hash 123 is not in definitions.activity_version"],
      })
    },
    SLOW,
  )

  test(
    "fix-malformed-pgcrs replaces a stored instance without counting it twice",
    async () => {
      const start = BigInt(sim.truth.frontier().startId)
      const entry = sim.truth
        .range(start - 1_200n, start - 800n)
        .find((e) => e.state === "published" && e.kind === "raid" && (e.entryCount ?? 0) >= 3)!
      const bungie = createJobBungie(jobTestConfig(db.url, sim.url), { client: "t", concurrency: 1 })
      const out = await fetchAndProcess(bungie, BigInt(entry.id), loadDefinitions())
      bungie.close()
      if (out.kind !== "raid") throw new Error("expected a raid")
      // Stored malformed: one player missing (as an incomplete first version would be).
      const dropped = out.item.instance.players.at(-1)!.player.membershipId
      const broken = { ...out.item, instance: { ...out.item.instance, players: out.item.instance.players.slice(0, -1) } }
      await storeInstances(db.sql, [broken])
      const kept = out.item.instance.players[0]!.player.membershipId
      const before = await db.sql<
        { clears: number; total_time_played_seconds: bigint }[]
      >`select clears, total_time_played_seconds from core.player where membership_id = ${kept}`

      const result = await runTool("fix-malformed-pgcrs", [entry.id])
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout[0]!)).toEqual({ replaced: [entry.id], stored: [], skipped: 0, dryRun: false })
      const players = await db.sql<
        { id: string }[]
      >`select membership_id::text as id from core.instance_player where instance_id = ${entry.id} order by 1`
      expect(players.map((p) => p.id)).toContain(dropped)
      // The kept player's totals are not doubled by the replace.
      const after = await db.sql<
        { clears: number; total_time_played_seconds: bigint }[]
      >`select clears, total_time_played_seconds from core.player where membership_id = ${kept}`
      expect(after[0]!.clears).toBe(before[0]!.clears)
      expect(after[0]!.total_time_played_seconds).toBe(before[0]!.total_time_played_seconds)
      // And every aggregate equals a recomputation from scratch.
      const report = await fixSherpaClears({ sql: db.sql, batchSize: 500, dryRun: true })
      expect(report).toMatchObject({ firstClears: 0, sherpas: 0, playerStats: 0, playerTotals: 0 })
      const notRaid = sim.truth.range(start - 800n, start - 700n).find((e) => e.state === "published" && e.kind === "other")!
      const skipped = await runTool("fix-malformed-pgcrs", [notRaid.id])
      expect(skipped).toMatchObject({ code: 1, stderr: [`fix-malformed-pgcrs: instance ${notRaid.id} not replaced: not a raid`] })
    },
    SLOW,
  )

  test(
    "activity-history-update --run: a player's raid history; the instances we lack go to pgcr_exists",
    async () => {
      const start = BigInt(sim.truth.frontier().startId)
      await storeSimRaids(db.sql, db.url, sim, start - 1_600n, start - 1_450n)
      const players = await db.sql<{ id: string }[]>`
        select ip.membership_id::text as id from core.instance_player ip join core.player p using (membership_id)
        where ip.instance_id between ${(start - 1_600n).toString()}::bigint and ${(start - 1_450n).toString()}::bigint
          and p.membership_type in (1, 2, 3, 6)
        group by 1 order by count(*) desc, 1 limit 4`
      const ids = players.map((p) => p.id)
      await db.sql`delete from crawl.outbox`
      const result = await runTool("activity-history-update", ["--run", ...ids])
      const summary = JSON.parse(result.stdout.at(-1)!)
      expect(summary.players).toBe(4)
      expect(summary.crawled + summary.failed).toBe(4)
      expect(summary.crawled).toBeGreaterThan(0)
      expect(summary.instances).toBeGreaterThan(summary.missing)
      for (const line of result.stderr) expect(line).toMatch(/private history/)
      const rows = await db.sql<{ payload: Uint8Array }[]>`select payload from crawl.outbox where topic = 'queue.pgcr_exists'`
      const enqueued = rows.map((r) => JSON.parse(new TextDecoder().decode(r.payload)).instanceId as string)
      expect(enqueued).toHaveLength(summary.enqueued)
      expect(new Set(enqueued).size).toBe(enqueued.length)
      const stored = await db.sql`select 1 from core.instance where instance_id = any(${enqueued}::bigint[])`
      expect(stored).toHaveLength(0)
      for (const id of enqueued) expect(sim.truth.id(id)).toMatchObject({ state: "published" })
      const crawled =
        await db.sql`select 1 from core.player where membership_id = any(${ids}::bigint[]) and history_last_crawled is not null`
      expect(crawled).toHaveLength(summary.crawled)
    },
    SLOW,
  )
})

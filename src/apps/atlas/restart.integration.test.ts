/**
 * Restarts that repeat nothing (issue 13): `bun src/apps/atlas/main.ts` as a child process follows
 * a live simulator, is stopped (SIGINT, and separately SIGKILL) and started again. The simulator
 * reports every PGCR request, so the test knows which ids the first run had answered with a
 * complete PGCR (resolved before the stop) and which ids the second run asks for: of the former,
 * at most 1 % may be fetched again. Then the database must hold exactly what an uninterrupted run
 * stores: every raid the simulator published below the final low-water mark, nothing else.
 *
 * And `--sim` (the simulator in-process, restarted with atlas): the second run stores raids
 * within 30 s of its start (its world goes on where the first left it).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Subprocess, spawn } from "bun"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { loadCheckpoint } from "./coordinator/checkpoint.ts"

const REPO = fileURLToPath(new URL("../../../", import.meta.url))
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url))
const ADDRESSES = "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6"
/**
 * A kill -9 loses the acknowledgements of its last moments: the fetchers' ack interval (50 ms) and
 * the checkpoint's (200 ms), and for raids the writer's batch interval (250 ms) before its commit.
 */
const KILL_WINDOW_MS = 600

const dataDirs: string[] = []
const databases: TestDatabase[] = []

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dataDirs.push(dir)
  return dir
}

function spawnAtlas(db: TestDatabase, dataDir: string, extra: { args?: string[]; env?: Record<string, string> } = {}): Subprocess {
  return spawn({
    cmd: [process.execPath, MAIN, "--metrics-port", "off", "--fetchers", "2", "--source-addresses", ADDRESSES, ...(extra.args ?? [])],
    cwd: REPO,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: db.url, LOG_LEVEL: "warn", ...extra.env },
    stdout: "ignore",
    stderr: "inherit",
  })
}

async function readMarks(db: TestDatabase): Promise<{ low: bigint; high: bigint } | null> {
  const rows = await db.sql<
    { lw: string; hw: string }[]
  >`SELECT low_water_mark::text AS lw, high_water_mark::text AS hw FROM crawl.crawler_state`
  return rows[0] ? { low: BigInt(rows[0].lw), high: BigInt(rows[0].hw) } : null
}

async function countInstances(db: TestDatabase): Promise<number> {
  const rows = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM core.instance`
  return rows[0]!.n
}

interface Request {
  run: number
  id: string
  answer: string
  at: number
}

describe("restart precision against a live simulator", () => {
  let sim: SimHandle
  let run = 0
  const requests: Request[] = []
  beforeAll(async () => {
    sim = await startSim({
      seed: 13,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 25, sigma: 0.5, maxMs: 1_000 },
      onPgcrRequest: (id, answer, at) => {
        if (run > 0) requests.push({ run, id, answer, at })
      },
    })
  })
  afterAll(async () => {
    await sim?.stop()
    await Promise.all(databases.map((db) => db.drop()))
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
  })

  /** Ids the run answered with a complete PGCR (before `until`): resolved once that run stopped cleanly. */
  function completedIn(n: number, until = Number.POSITIVE_INFINITY): Set<string> {
    const done = new Set<string>()
    for (const r of requests) {
      if (r.run !== n || r.answer !== "ok" || r.at >= until) continue
      const incompleteUntil = sim.truth.id(r.id).incompleteUntil
      if (incompleteUntil === null || r.at >= incompleteUntil) done.add(r.id)
    }
    return done
  }

  async function restartAndMeasure(signal: "SIGINT" | "SIGKILL", label: string) {
    const db = await createTestDatabase({ migrate: true })
    databases.push(db)
    const dir = tempDir(`atlas-restart-${label}-`)
    const env = { BUNGIE_BASE_URL: sim.url, BUNGIE_API_KEY: "restart-test-key" }
    requests.length = 0
    const head = BigInt(sim.truth.frontier().nextId)
    run = 1
    // Starting 300 ids behind the head, it follows the head for most of the run: the rate at the
    // stop is Bungie's (~57 ids/s), not a catch-up's.
    const first = spawnAtlas(db, dir, { env, args: ["--from", (head - 300n).toString()] })
    await Bun.sleep(26_000)
    const killedAt = Date.now()
    first.kill(signal)
    const firstExit = await first.exited
    if (signal === "SIGINT") expect(firstExit).toBe(0)
    const resolvedBefore = completedIn(1)
    // After a kill -9 the ids answered in its last moments were never acknowledged or never
    // checkpointed (KILL_WINDOW_MS): the design refetches them. The bound is asserted on the ids
    // answered earlier than that; the share over all of them is printed beside it.
    const settledBefore = signal === "SIGKILL" ? completedIn(1, killedAt - KILL_WINDOW_MS) : resolvedBefore
    const stopped = (await readMarks(db))!
    run = 2
    const second = spawnAtlas(db, dir, { env })
    await Bun.sleep(14_000)
    second.kill("SIGINT")
    expect(await second.exited).toBe(0)
    run = 0

    const askedAgainIds = new Set(requests.filter((r) => r.run === 2).map((r) => r.id))
    const askedAgain = [...resolvedBefore].filter((id) => askedAgainIds.has(id))
    const settledAgain = [...settledBefore].filter((id) => askedAgainIds.has(id))
    const share = settledAgain.length / settledBefore.size
    const rows = await db.sql<{ crawler: string }[]>`SELECT crawler FROM crawl.crawler_state`
    const final = (await loadCheckpoint(db.sql, rows[0]!.crawler))!
    const resume = final.resume!
    console.log(
      `restart after ${signal}: ${resolvedBefore.size} ids resolved before the stop, ${askedAgain.length} fetched again ` +
        `(${((askedAgain.length / resolvedBefore.size) * 100).toFixed(2)} %); of the ${settledBefore.size} resolved ≥ ${signal === "SIGKILL" ? KILL_WINDOW_MS : 0} ms before it, ` +
        `${settledAgain.length} (${(share * 100).toFixed(2)} %); ` +
        `marks at the stop [${stopped.low}, ${stopped.high}); after the restart [${resume.lowWater}, ${resume.highWater}) with ${resume.unresolved.length} unresolved runs`,
    )
    expect(settledBefore.size).toBeGreaterThan(1_000)
    expect(share).toBeLessThanOrEqual(0.01)
    // The restart went on past where the first run stopped.
    expect(resume.highWater).toBeGreaterThan(stopped.high + 500n)

    // The database equals an uninterrupted run's: every raid the simulator published among the
    // resolved ids (below the high-water mark, outside the unresolved runs) is stored (or
    // ledgered), no other id is stored, and no gap covers a published id.
    let from = resume.lowWater
    for (const r of requests) {
      const id = BigInt(r.id)
      if (r.run === 1 && id >= head - 300n && id < from) from = id
    }
    const high = resume.highWater
    const stored = new Set(
      (await db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM core.instance WHERE instance_id < ${high.toString()}`).map(
        (r) => r.id,
      ),
    )
    const ledger = new Set((await db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM crawl.missed_pgcr`).map((r) => r.id))
    const gaps = await db.sql<{ s: string; e: string }[]>`SELECT start_id::text AS s, end_id::text AS e FROM crawl.gap_range`
    const unresolved = (id: bigint) => resume.unresolved.some((u) => id >= u.from && id < u.to)
    let raids = 0
    let checked = 0
    for (const e of sim.truth.range(from, high)) {
      const id = BigInt(e.id)
      const isRaid = e.kind !== "other" && e.state === "published"
      if (!isRaid) expect(stored.has(e.id)).toBe(false)
      else if (!unresolved(id)) {
        raids++
        expect(stored.has(e.id) || ledger.has(e.id)).toBe(true)
      }
      if (!unresolved(id)) checked++
      if (e.state === "published") for (const g of gaps) expect(id >= BigInt(g.s) && id < BigInt(g.e)).toBe(false)
    }
    console.log(`  database checked against the simulator: ${checked} resolved ids in [${from}, ${high}), ${raids} raids among them`)
    expect(checked).toBeGreaterThan(1_500)
    expect(raids).toBeGreaterThan(20)
    const raw = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM raw.pgcr WHERE instance_id < ${high.toString()}`
    expect(raw[0]!.n).toBe(stored.size)
  }

  test("SIGINT, restart: ids resolved before the stop are not fetched again", () => restartAndMeasure("SIGINT", "int"), 90_000)

  test("SIGKILL, restart: at most 1 % of the resolved ids fetched again", () => restartAndMeasure("SIGKILL", "kill"), 90_000)
})

describe("atlas --sim stop and start", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
  })
  afterAll(async () => {
    await db?.drop()
  })

  test("the second run stores raids within 30 s of its start", async () => {
    const dir = tempDir("atlas-sim-restart-")
    const first = spawnAtlas(db, dir, { args: ["--sim"] })
    const deadline = Date.now() + 40_000
    while ((await countInstances(db)) === 0 && Date.now() < deadline) await Bun.sleep(250)
    await Bun.sleep(3_000)
    first.kill("SIGINT")
    expect(await first.exited).toBe(0)
    const before = await countInstances(db)
    expect(before).toBeGreaterThan(0)
    const stopped = (await readMarks(db))!

    const startedAt = Date.now()
    const second = spawnAtlas(db, dir, { args: ["--sim"] })
    let storedAfterMs: number | null = null
    while (Date.now() - startedAt < 30_000) {
      const rows = await db.sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM core.instance WHERE instance_id >= ${stopped.high.toString()}`
      if (rows[0]!.n > 0) {
        storedAfterMs = Date.now() - startedAt
        break
      }
      await Bun.sleep(250)
    }
    second.kill("SIGINT")
    expect(await second.exited).toBe(0)
    console.log(
      `atlas --sim restart: ${before} raids in the first run; the second stored raids past its resume point after ${storedAfterMs} ms`,
    )
    expect(storedAfterMs).not.toBeNull()
  }, 90_000)
})

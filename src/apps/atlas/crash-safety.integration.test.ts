/**
 * Crash safety: `bun src/apps/atlas/main.ts` (what `bun run atlas` runs) as a child process,
 * SIGKILLed twice mid-crawl and restarted; the database must equal an uninterrupted run's.
 * The child is started directly (not through `bun run`), so the SIGKILL hits the crawler itself
 * rather than a script runner whose child would survive it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Subprocess, spawn } from "bun"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"

const REPO = fileURLToPath(new URL("../../../", import.meta.url))
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url))

const dataDirs: string[] = []

function spawnAtlas(db: TestDatabase, sim: SimHandle, from: bigint, to: bigint, addresses: string, dataDir: string): Subprocess {
  return spawn({
    cmd: [
      process.execPath,
      MAIN,
      "--from",
      from.toString(),
      "--to",
      to.toString(),
      "--metrics-port",
      "off",
      "--fetchers",
      "2",
      "--source-addresses",
      addresses,
    ],
    cwd: REPO,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      BUNGIE_BASE_URL: sim.url,
      BUNGIE_API_KEY: "crash-test-key",
      LOG_LEVEL: "warn",
      ATLAS_BATCH_MAX_MS: "100",
    },
    stdout: "ignore",
    stderr: "inherit",
  })
}

async function readLowWater(db: TestDatabase): Promise<bigint | null> {
  const rows = await db.sql<{ lw: string }[]>`SELECT low_water_mark::text AS lw FROM crawl.crawler_state`
  return rows[0] ? BigInt(rows[0].lw) : null
}

async function waitForLowWater(db: TestDatabase, atLeast: bigint, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const lw = await readLowWater(db)
    if (lw !== null && lw >= atLeast) return
    if (Date.now() > deadline) throw new Error(`low-water mark ${lw} did not reach ${atLeast} in ${timeoutMs} ms`)
    await Bun.sleep(100)
  }
}

async function snapshot(db: TestDatabase) {
  return {
    instances: [
      ...(await db.sql`SELECT instance_id::text, hash::text, completed, fresh, flawless, player_count, duration FROM core.instance ORDER BY 1`),
    ],
    players: [
      ...(await db.sql`SELECT instance_id::text, membership_id::text, completed, is_first_clear, sherpas, time_played_seconds FROM core.instance_player ORDER BY 1, 2`),
    ],
    totals: [...(await db.sql`SELECT membership_id::text, clears, fresh_clears, sherpas FROM core.player ORDER BY 1`)],
    raw: [...(await db.sql`SELECT instance_id::text FROM raw.pgcr ORDER BY 1`)],
    ledger: [...(await db.sql`SELECT instance_id::text, last_result FROM crawl.missed_pgcr ORDER BY 1`)],
    outboxCh: [
      ...(await db.sql`SELECT convert_from(payload, 'UTF8') AS p FROM crawl.outbox WHERE topic = 'clickhouse.instance' ORDER BY 1`),
    ].length,
    lowWater: await readLowWater(db),
  }
}

describe("crash safety", () => {
  let sim: SimHandle
  let reference: TestDatabase
  let crashed: TestDatabase
  beforeAll(async () => {
    sim = await startSim({
      seed: 7,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 30, sigma: 0.5, maxMs: 1_000 },
      world: { raidShare: 0.15 },
    })
    ;[reference, crashed] = await Promise.all([createTestDatabase({ migrate: true }), createTestDatabase({ migrate: true })])
  })
  afterAll(async () => {
    await sim?.stop()
    await Promise.all([reference?.drop(), crashed?.drop()])
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
  })

  test("SIGKILL twice mid-crawl, restart: same database as an uninterrupted run", async () => {
    const from = BigInt(sim.truth.frontier().startId) - 400_000n
    const to = from + 1_199n
    // Each crawler process has its own embedded ClickHouse (the ch-writer's outbox relay target).
    const refDir = mkdtempSync(join(tmpdir(), "atlas-ref-"))
    const crashDir = mkdtempSync(join(tmpdir(), "atlas-crash-"))
    dataDirs.push(refDir, crashDir)

    const uninterrupted = spawnAtlas(reference, sim, from, to, "127.0.0.3,127.0.0.4", refDir)
    const crashing = spawnAtlas(crashed, sim, from, to, "127.0.0.1,127.0.0.2", crashDir)
    await waitForLowWater(crashed, from + 250n, 60_000)
    crashing.kill("SIGKILL")
    await crashing.exited
    const second = spawnAtlas(crashed, sim, from, to, "127.0.0.1,127.0.0.2", crashDir)
    const before = (await readLowWater(crashed))!
    await waitForLowWater(crashed, before + 300n, 60_000)
    second.kill("SIGKILL")
    await second.exited
    const third = spawnAtlas(crashed, sim, from, to, "127.0.0.1,127.0.0.2", crashDir)
    expect(await third.exited).toBe(0)
    expect(await uninterrupted.exited).toBe(0)

    const a = await snapshot(reference)
    const b = await snapshot(crashed)
    expect(a.lowWater).toBe(to + 1n)
    expect(b.lowWater).toBe(to + 1n)
    expect(a.instances.length).toBeGreaterThan(50)
    expect(b.instances).toEqual(a.instances)
    expect(b.players).toEqual(a.players)
    expect(b.totals).toEqual(a.totals)
    expect(b.raw).toEqual(a.raw)
    expect(b.ledger).toEqual(a.ledger)
    // The ch-writer Worker relayed every ClickHouse outbox row (delivered rows are deleted) in both
    // runs, the killed one included: nothing stuck, nothing waiting.
    expect(a.outboxCh).toBe(0)
    expect(b.outboxCh).toBe(0)
    console.log(`crash safety: ${a.instances.length} instances, ${a.ledger.length} ledgered, identical after 2 SIGKILLs`)
  }, 170_000)
})

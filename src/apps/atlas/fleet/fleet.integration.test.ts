/**
 * The fleet end to end: `bun src/apps/atlas/main.ts --fleet` (what `bun run atlas --fleet` runs)
 * as several child processes with different source addresses against one simulator and one
 * database, compared with a single-process run of the same range (the crash-safety comparison).
 * Children are started directly so a SIGKILL hits the crawler itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Subprocess, spawn } from "bun"
import { createTestDatabase, type TestDatabase } from "../../../lib/database/testing.ts"
import { type SimHandle, startSim } from "../../../sim/server.ts"
import { globalLowWater } from "./lease-plan.ts"

const REPO = fileURLToPath(new URL("../../../../", import.meta.url))
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url))
const RANGE = 20_000n
/** Each process sends from its own addresses (the simulator throttles each at ~25 req/s, like Bungie). */
const PER_PROCESS = 4

/** `count` loopback addresses 127.0.<net>.<first>…, comma-separated. */
function addresses(net: number, first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `127.0.${net}.${first + i}`).join(",")
}

const dataDirs: string[] = []

function spawnAtlas(db: TestDatabase, sim: SimHandle, args: string[], addresses: string, env: Record<string, string> = {}): Subprocess {
  const dataDir = mkdtempSync(join(tmpdir(), "atlas-fleet-"))
  dataDirs.push(dataDir)
  return spawn({
    cmd: [process.execPath, MAIN, ...args, "--metrics-port", "off", "--fetchers", "2", "--source-addresses", addresses],
    cwd: REPO,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      BUNGIE_BASE_URL: sim.url,
      BUNGIE_API_KEY: "fleet-test-key",
      LOG_LEVEL: "warn",
      ATLAS_BATCH_MAX_MS: "100",
      ...env,
    },
    stdout: "ignore",
    stderr: "inherit",
  })
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
  }
}

async function leases(db: TestDatabase) {
  return await db.sql<
    { lease_id: string; range_start: string; range_end: string; owner: string; state: string; resume_from: string | null }[]
  >`
    SELECT lease_id::text, range_start::text, range_end::text, owner, state::text, resume_from::text
    FROM crawl.id_range_lease ORDER BY range_start`
}

/** The leases cover [from, to] without gaps or overlaps, all done. */
function expectCovered(rows: Awaited<ReturnType<typeof leases>>, from: bigint, to: bigint): void {
  let next = from
  for (const r of rows) {
    expect(BigInt(r.range_start)).toBe(next)
    expect(r.state).toBe("done")
    next = BigInt(r.range_end)
  }
  expect(next).toBe(to + 1n)
}

async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(100)
  }
}

describe("atlas fleet", () => {
  let sim: SimHandle
  let reference: TestDatabase
  let from: bigint
  let to: bigint
  let expected: Awaited<ReturnType<typeof snapshot>>
  beforeAll(async () => {
    sim = await startSim({
      seed: 11,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 30, sigma: 0.5, maxMs: 1_000 },
      world: { raidShare: 0.15 },
    })
    from = BigInt(sim.truth.frontier().startId) - 300_000n
    to = from + RANGE - 1n
    reference = await createTestDatabase({ migrate: true })
    const single = spawnAtlas(
      reference,
      sim,
      ["--from", from.toString(), "--to", to.toString()],
      // As many addresses as the three processes together.
      addresses(1, 1, 3 * PER_PROCESS),
    )
    expect(await single.exited).toBe(0)
    expected = await snapshot(reference)
    expect(expected.instances.length).toBeGreaterThan(100)
  }, 120_000)
  afterAll(async () => {
    await sim?.stop()
    await reference?.drop()
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
  })

  const fleetArgs = () => ["--fleet", "--from", from.toString(), "--to", to.toString(), "--fleet-max-range", "2000"]
  // Three processes over 20,000 ids take 60–125 s on this box depending on its load (one run
  // beside a full-speed bench took 138 s): the limit is for a hung fleet, not a slow one.

  test("three processes over one range: every raid stored once, leases cover the range, same database as one process", async () => {
    const db = await createTestDatabase({ migrate: true })
    try {
      const procs = [
        spawnAtlas(db, sim, fleetArgs(), addresses(0, 1, PER_PROCESS)),
        spawnAtlas(db, sim, fleetArgs(), addresses(0, 1 + PER_PROCESS, PER_PROCESS)),
        spawnAtlas(db, sim, fleetArgs(), addresses(0, 1 + 2 * PER_PROCESS, PER_PROCESS)),
      ]
      expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0, 0])
      const rows = await leases(db)
      expectCovered(rows, from, to)
      // More than one process did work.
      expect(new Set(rows.map((r) => r.owner)).size).toBeGreaterThan(1)
      expect(await snapshot(db)).toEqual(expected)
      // The ranges' own checkpoint rows went with their leases.
      expect((await db.sql`SELECT 1 FROM crawl.crawler_state WHERE crawler LIKE 'fleet:%'`).length).toBe(0)
    } finally {
      await db.drop()
    }
  }, 240_000)

  test("SIGKILL one of three mid-range: its lease is taken over after expiry; same database as one process", async () => {
    const db = await createTestDatabase({ migrate: true })
    try {
      const env = { ATLAS_FLEET_LEASE_S: "1.5" }
      const victim = spawnAtlas(db, sim, fleetArgs(), addresses(0, 1, PER_PROCESS), env)
      const others = [
        spawnAtlas(db, sim, fleetArgs(), addresses(0, 1 + PER_PROCESS, PER_PROCESS), env),
        spawnAtlas(db, sim, fleetArgs(), addresses(0, 1 + 2 * PER_PROCESS, PER_PROCESS), env),
      ]
      const owner = `:${victim.pid}:`
      const killed = await waitUntil("the victim's progress inside a lease", 60_000, async () => {
        const row = (await leases(db)).find(
          (r) =>
            r.owner.includes(owner) &&
            r.state === "leased" &&
            r.resume_from !== null &&
            BigInt(r.resume_from) > BigInt(r.range_start) + 50n,
        )
        return row ?? null
      })
      victim.kill("SIGKILL")
      await victim.exited
      expect(await Promise.all(others.map((p) => p.exited))).toEqual([0, 0])
      const rows = await leases(db)
      expectCovered(rows, from, to)
      const taken = rows.find((r) => r.lease_id === killed.lease_id)!
      expect(taken.owner.includes(owner)).toBe(false)
      expect(await snapshot(db)).toEqual(expected)
    } finally {
      await db.drop()
    }
  }, 240_000)
})

describe("atlas fleet at the head", () => {
  let sim: SimHandle
  let db: TestDatabase
  beforeAll(async () => {
    sim = await startSim({
      seed: 12,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 30, sigma: 0.5, maxMs: 1_000 },
      world: { raidShare: 0.15 },
    })
    db = await createTestDatabase({ migrate: true })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
  })

  test("leader failover: the leader is SIGKILLed; the other holds the leader lease after expiry and follows the head", async () => {
    const origin = BigInt(sim.truth.frontier().startId) - 600n
    const args = ["--fleet", "--from", origin.toString(), "--fleet-max-range", "400"]
    const env = { ATLAS_FLEET_LEASE_S: "1.5" }
    const procs = [spawnAtlas(db, sim, args, "127.0.0.1,127.0.0.2", env), spawnAtlas(db, sim, args, "127.0.0.3,127.0.0.4", env)]
    const leaderRow = async () =>
      (await db.sql<{ owner: string; epoch: string }[]>`SELECT owner, epoch::text FROM crawl.fleet_leader`)[0] ?? null
    try {
      const first = await waitUntil("a leader", 60_000, leaderRow)
      const leader = procs.find((p) => first.owner.includes(`:${p.pid}:`))!
      const survivor = procs.find((p) => p !== leader)!
      // The leader has leased past the history behind the head before it dies.
      await waitUntil("the leader at the head", 60_000, async () => {
        const rows = await leases(db)
        return rows.some((r) => r.owner === first.owner && BigInt(r.range_start) >= BigInt(sim.truth.frontier().startId)) ? true : null
      })
      const topBefore = (await leases(db)).reduce((top, r) => (BigInt(r.range_end) > top ? BigInt(r.range_end) : top), 0n)
      leader.kill("SIGKILL")
      const killedAt = performance.now()
      await leader.exited
      const next = await waitUntil("a new leader", 30_000, async () => {
        const row = await leaderRow()
        return row && row.owner !== first.owner ? row : null
      })
      const handedOverAt = performance.now()
      expect(next.owner.includes(`:${survivor.pid}:`)).toBe(true)
      expect(BigInt(next.epoch)).toBe(BigInt(first.epoch) + 1n)
      // The new leader leases fresh ranges at the head, past everything leased before the kill,
      // and stores raids there. (Not its ranges' resume_from: a hole near a range's start, an id
      // Bungie never publishes, holds that mark for minutes at the head; only the leader leases
      // there, so a raid stored past the old top is the new leader's.)
      // Progress, not time (the issue: assert the lease change and stored ids): usually ~10 s, but
      // runs on a loaded box have taken over 60 s (cause not found; the leases are printed then).
      await waitUntil("raids stored past the old top by the new leader", 150_000, async () => {
        const leased = (await leases(db)).some((r) => r.owner === next.owner && BigInt(r.range_start) >= topBefore)
        const [above] = await db.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM core.instance WHERE instance_id >= ${topBefore.toString()}`
        return leased && above!.n > 0 ? true : null
      })
      if (performance.now() - killedAt > 60_000) console.log(`slow failover, leases: ${JSON.stringify(await leases(db))}`)
      // Reported, not asserted (times depend on the box): bench/README.md quotes them.
      console.log(
        `leader failover (lease 1.5 s): new leader after ${((handedOverAt - killedAt) / 1000).toFixed(1)} s, ` +
          `storing raids past the old top after ${((performance.now() - killedAt) / 1000).toFixed(1)} s`,
      )
      survivor.kill("SIGTERM")
      expect(await survivor.exited).toBe(0)
      // Nothing lost around the failover: every published raid below the fleet's low-water mark
      // (computed from the leases) and in every lease's resolved part (the new leader's at the
      // head included) is stored, nothing else.
      const rows = await leases(db)
      const mark = globalLowWater(
        origin,
        rows.map((r) => ({
          leaseId: BigInt(r.lease_id),
          rangeStart: BigInt(r.range_start),
          rangeEnd: BigInt(r.range_end),
          owner: r.owner,
          state: r.state as "leased" | "done" | "released",
          expiresAt: 0,
          resumeFrom: r.resume_from === null ? null : BigInt(r.resume_from),
        })),
      )
      expect(mark).toBeGreaterThan(origin)
      const resolved: [bigint, bigint][] = [
        [origin, mark],
        // Every lease's resolved part: whole when done, else up to its resume_from.
        ...rows.map((r): [bigint, bigint] => [
          BigInt(r.range_start),
          r.state === "done" ? BigInt(r.range_end) : BigInt(r.resume_from ?? r.range_start),
        ]),
      ]
      for (const [a, b] of resolved) {
        const truth = sim.truth
          .range(a, b)
          // Mode-4 instances: raids and Pantheon encounters (their hashes are in the definitions too).
          .filter((e) => e.state === "published" && (e.kind === "raid" || e.kind === "pantheon"))
          .map((e) => e.id.toString())
          .sort()
        const stored = await db.sql<{ id: string }[]>`
          SELECT instance_id::text AS id FROM core.instance WHERE instance_id >= ${a.toString()} AND instance_id < ${b.toString()} ORDER BY instance_id`
        expect(stored.map((r) => r.id)).toEqual(truth)
      }
    } finally {
      for (const p of procs) p.kill("SIGKILL")
    }
  }, 260_000)
})

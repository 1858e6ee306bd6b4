/**
 * A dead block (15,680 ids Bungie never created) inside a bounded backfill: the dead-block
 * detector fires, the forward search finds the next live id, the block is recorded as one gap
 * range and the cursor jumps; only the ids fetched before the jump are ledgered one by one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { loadCheckpoint } from "./coordinator/checkpoint.ts"
import { DEFAULT_DEAD_BLOCK_PARAMS } from "./coordinator/controller/index.ts"
import { startAtlas } from "./coordinator/supervisor.ts"

const log = createLogger({ level: process.env.ATLAS_TEST_LOG === "1" ? "info" : "warn", fields: { app: "atlas-gap-test" } })
const DEAD_OFFSET = -1_000_000n
const DEAD_LENGTH = 15_680n

describe("dead block in a backfill", () => {
  let db: TestDatabase
  let sim: SimHandle
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    sim = await startSim({ seed: 5, scenario: "backfill", port: 0 })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
  })

  test("forward search records the block as a gap range and jumps it", async () => {
    const deadStart = BigInt(sim.truth.frontier().startId) + DEAD_OFFSET
    const deadEnd = deadStart + DEAD_LENGTH
    const from = deadStart - 300n
    const to = deadEnd + 299n
    const atlas = await startAtlas({
      crawler: "gap",
      from,
      to,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "gap-key",
      fetchers: 2,
      maxConcurrency: 48,
      sourceAddresses: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"],
      batchSize: 200,
      batchMs: 100,
      metricsPort: null,
      log,
      logLevel: "warn",
      controllerOptions: { deadBlock: { ...DEFAULT_DEAD_BLOCK_PARAMS, sustainMs: 3_000, minNotFound: 100 } },
    })
    const result = await atlas.done
    expect(result.reason).toBe("rangeResolved")

    const gaps = await db.sql<
      { s: string; e: string }[]
    >`SELECT start_id::text AS s, end_id::text AS e FROM crawl.gap_range WHERE crawler = 'gap'`
    expect(gaps.length).toBe(1)
    const gap = { from: BigInt(gaps[0]!.s), to: BigInt(gaps[0]!.e) }
    expect(gap.from).toBeGreaterThanOrEqual(deadStart)
    expect(gap.to).toBe(deadEnd)
    expect(Number(gap.to - gap.from)).toBeGreaterThan(Number(DEAD_LENGTH) * 0.8)

    const ledger = new Set((await db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM crawl.missed_pgcr`).map((r) => r.id))
    const stored = new Set((await db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM core.instance`).map((r) => r.id))
    const inGap = (id: bigint) => id >= gap.from && id < gap.to
    for (let chunk = from; chunk <= to; chunk += 5_000n) {
      const end = chunk + 5_000n > to + 1n ? to + 1n : chunk + 5_000n
      for (const e of sim.truth.range(chunk, end)) {
        const id = BigInt(e.id)
        if (e.state === "published" && e.kind !== "other") expect(stored.has(e.id)).toBe(true)
        if (e.state !== "published") expect(ledger.has(e.id) || inGap(id)).toBe(true)
      }
    }
    const requests = Object.values(result.status.requests).reduce((a, b) => a + b, 0)
    expect(requests).toBeLessThan(Number(DEAD_LENGTH))
    console.log(
      `gap: [${gap.from}, ${gap.to}) recorded (${gap.to - gap.from} ids), ${ledger.size} ids ledgered one by one, ${requests} requests for ${to - from + 1n} ids`,
    )
  }, 90_000)
})

describe("dead block at the live head", () => {
  let db: TestDatabase
  let sim: SimHandle
  const DEAD_AT = 250
  // The forward search probes offsets 1.5^k (..., 3,325, 4,987, 7,481): a block ending at offset
  // 4,900 puts a probe in the narrow band of live ids past it.
  const DEAD_IDS = 4_900
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    // A world that starts now and jumps a dead block ~5 s later.
    sim = await startSim({
      seed: 6,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 20, sigma: 0.4, maxMs: 500 },
      world: { continuous: false, deadBlocks: [{ offset: DEAD_AT, length: DEAD_IDS }] },
    })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
  })

  test("the block is recorded only once the ids past it are older than the late-publication window", async () => {
    const startId = BigInt(sim.truth.frontier().startId)
    const deadStart = startId + BigInt(DEAD_AT)
    const deadEnd = deadStart + BigInt(DEAD_IDS)
    // Atlas follows the head into the block as it is jumped; by the time the dead-block detector
    // fires, a band of live ids lies past it for the search to land in, all much younger than
    // the window: the evidence cannot stand when the cursor jumps (where the old behaviour
    // recorded the gap).
    await Bun.sleep(2_000)
    const windowMs = 25_000
    const atlas = await startAtlas({
      crawler: "head-gap",
      from: deadStart - 50n,
      to: null,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "gap-key",
      fetchers: 2,
      maxConcurrency: 32,
      sourceAddresses: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"],
      batchSize: 200,
      batchMs: 100,
      metricsPort: null,
      log,
      logLevel: "warn",
      lateWindowMs: windowMs,
      controllerOptions: { deadBlock: { ...DEFAULT_DEAD_BLOCK_PARAMS, sustainMs: 3_000, minNotFound: 100 } },
    })
    const gaps = () =>
      db.sql<{ s: string; e: string; at: number }[]>`
        SELECT start_id::text AS s, end_id::text AS e, (extract(epoch FROM found_at) * 1000)::float8 AS at FROM crawl.gap_range`
    const deadline = Date.now() + 80_000
    while (atlas.status().cursor <= deadEnd && Date.now() < deadline) await Bun.sleep(50)
    const jumpedAt = Date.now()
    expect(atlas.status().cursor).toBeGreaterThan(deadEnd)
    await Bun.sleep(3_000)
    const heldPending = (await gaps()).length === 0
    // A search that began on ids at the head not yet published (they border the block) finds them
    // published at its recheck, gives them back and searches the rest again at once; the deadline
    // still allows a second window for a run longer than the recheck probes.
    const recordDeadline = jumpedAt + 3 * windowMs
    while ((await gaps()).length === 0 && Date.now() < recordDeadline) await Bun.sleep(100)
    const result = await atlas.stop()
    const lowWater = result.status.lowWater
    const checkpoint = (await loadCheckpoint(db.sql, "head-gap"))!
    const recorded = await gaps()
    const publishedAt = sim.truth.id(deadEnd).publishedAt!
    const age = recorded[0] ? recorded[0].at - publishedAt : Number.NaN
    console.log(
      `head gap: ${JSON.stringify(recorded.map((g) => [g.s, g.e]))} recorded ${Math.round(age)} ms after the id past it was published ` +
        `(window ${windowMs} ms; ${recorded[0] ? Math.round(recorded[0].at - jumpedAt) : "?"} ms after the cursor jumped it); low-water ${lowWater}`,
    )
    expect(heldPending).toBe(true)
    expect(recorded.length).toBe(1)
    expect(BigInt(recorded[0]!.e)).toBe(deadEnd)
    expect(BigInt(recorded[0]!.s)).toBeGreaterThanOrEqual(deadStart)
    // The evidence stood: the id past the block was published a window ago (less its publication
    // delay, which the evidence cannot see: at most 2.5 s here).
    expect(age).toBeGreaterThanOrEqual(windowMs - 3_000)
    // Recorded, the block is resolved: the checkpoint lists nothing in it as unresolved (the mark
    // itself waits on holes before the block, which have ten minutes to be published).
    expect(checkpoint.resume!.highWater).toBeGreaterThan(deadEnd)
    expect(checkpoint.resume!.unresolved.filter((r) => r.to > deadStart && r.from < deadEnd)).toEqual([])
    expect(sim.truth.range(BigInt(recorded[0]!.s), deadEnd).filter((e) => e.state === "published")).toEqual([])
  }, 180_000)
})

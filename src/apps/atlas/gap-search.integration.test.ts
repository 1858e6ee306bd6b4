/**
 * A dead block (15,680 ids Bungie never created) inside a bounded backfill: the dead-block
 * detector fires, the forward search finds the next live id, the block is recorded as one gap
 * range and the cursor jumps; only the ids fetched before the jump are ledgered one by one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { DEFAULT_DEAD_BLOCK_PARAMS } from "./coordinator/controller/index.ts"
import { startAtlas } from "./coordinator/supervisor.ts"

const log = createLogger({ level: "warn", fields: { app: "atlas-gap-test" } })
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

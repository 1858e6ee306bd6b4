/**
 * A bounded run over a range with holes that are never published (ids the simulator's counter
 * skipped, runs of lost ids), a few thousand ids behind the head, where a 404 is a hole with ~10
 * minutes of patience. The run must end within 60 s of its last existing id, and every hole must
 * be in the missed ledger with a next retry time (for the replayer).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { startAtlas } from "./coordinator/supervisor.ts"

const log = createLogger({ level: process.env.ATLAS_TEST_LOG === "1" ? "info" : "error", fields: { app: "atlas-tail-test" } })

describe("bounded run with holes that never publish", () => {
  let db: TestDatabase
  let sim: SimHandle
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    sim = await startSim({ seed: 21, scenario: "backfill", port: 0, world: { raidShare: 0.2, skipRate: 0.01, lostRunChance: 0.3 } })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
  })

  test("exits within 60 s of its last existing id; the holes are ledgered with a next retry time", async () => {
    const head = BigInt(sim.truth.frontier().startId)
    const from = head - 4_000n
    const to = from + 2_999n
    const truth = sim.truth.range(from, to + 1n)
    const holes = truth.filter((e) => e.state !== "published").map((e) => e.id)
    expect(holes.length).toBeGreaterThan(10)

    // The last time the simulator served a PGCR (a 200 on the PGCR endpoint).
    const pgcrOk = () => {
      const t = sim.truth.stats().totals
      return (t.byEndpoint.pgcr ?? 0) - (t.byErrorCode["1653"] ?? 0)
    }
    let lastOk = pgcrOk()
    let lastOkAt = Date.now()
    const watch = setInterval(() => {
      const n = pgcrOk()
      if (n !== lastOk) {
        lastOk = n
        lastOkAt = Date.now()
      }
    }, 100)

    const started = Date.now()
    const atlas = await startAtlas({
      crawler: "tail",
      from,
      to,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "k",
      fetchers: 2,
      maxConcurrency: 16,
      sourceAddresses: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"],
      batchSize: 100,
      batchMs: 100,
      metricsPort: null,
      log,
      logLevel: "error",
    })
    const result = await atlas.done
    const endedAt = Date.now()
    clearInterval(watch)
    expect(result.reason).toBe("rangeResolved")
    expect(result.exitCode).toBe(0)
    const afterLastExisting = (endedAt - lastOkAt) / 1000
    expect(afterLastExisting).toBeLessThan(60)

    const ledger = new Map(
      (
        await db.sql<{ id: string; last_result: string; next_retry_at: Date | null; state: string }[]>`
          SELECT instance_id::text AS id, last_result, next_retry_at, state FROM crawl.missed_pgcr`
      ).map((r) => [r.id, r]),
    )
    for (const id of holes) {
      const row = ledger.get(id)
      expect(row?.last_result).toBe("notFound")
      expect(row?.state).toBe("pending")
      expect(row?.next_retry_at).toBeInstanceOf(Date)
    }
    // Every existing raid of the range is stored.
    const raids = truth.filter((e) => e.state === "published" && e.kind !== "other").map((e) => e.id)
    const stored = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM core.instance WHERE instance_id BETWEEN ${from.toString()} AND ${to.toString()}`
    expect(stored[0]!.n).toBe(raids.length)
    console.log(
      `bounded tail: ${holes.length} holes ledgered, run ${((endedAt - started) / 1000).toFixed(1)} s, exited ${afterLastExisting.toFixed(1)} s after the last PGCR`,
    )
  }, 180_000)
})

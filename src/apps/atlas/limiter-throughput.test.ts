/**
 * Limiter against the simulator's per-address throttle (25 req/s averaged over 10 s): two source
 * addresses must sustain close to 50 req/s with under 1 % throttled answers. Numbers come from
 * the simulator's own per-source counters, not from our side.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { startAtlas } from "./coordinator/supervisor.ts"

const log = createLogger({ level: "warn", fields: { app: "atlas-limiter-test" } })
const MEASURE_MS = 20_000

describe("shared limiter, two source addresses", () => {
  let db: TestDatabase
  let sim: SimHandle
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    sim = await startSim({
      seed: 3,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 60, sigma: 0.5, maxMs: 1_500 },
      throttle: { enabled: true, limitPerSecond: 25, windowMs: 10_000 },
    })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
  })

  test("sustains close to 2 x 25 req/s with < 1 % throttled", async () => {
    const from = BigInt(sim.truth.frontier().startId) - 500_000n
    const atlas = await startAtlas({
      crawler: "limiter",
      from,
      to: from + 20_000n,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "limiter-key",
      fetchers: 2,
      maxConcurrency: 32,
      sourceAddresses: ["127.0.0.1", "127.0.0.2"],
      batchSize: 200,
      batchMs: 200,
      metricsPort: null,
      log,
      logLevel: "warn",
    })
    await Bun.sleep(1_000)
    sim.controls.resetStats()
    await Bun.sleep(MEASURE_MS)
    const stats = sim.truth.stats()
    await atlas.stop()
    const seconds = MEASURE_MS / 1000
    const perSource = Object.fromEntries(
      Object.entries(stats.sources).map(([source, s]) => [source, { rps: s.requests / seconds, throttled: s.throttled }]),
    )
    const rate = stats.totals.requests / seconds
    const throttledShare = stats.totals.throttled / Math.max(1, stats.totals.requests)
    console.log(
      `limiter: ${rate.toFixed(1)} req/s over ${seconds} s (${((rate / 50) * 100).toFixed(1)} % of 50 allowed), throttled ${(throttledShare * 100).toFixed(2)} %, per source ${JSON.stringify(perSource)}`,
    )
    expect(Object.keys(stats.sources).sort()).toEqual(["127.0.0.1", "127.0.0.2"])
    expect(rate).toBeGreaterThan(40)
    expect(throttledShare).toBeLessThan(0.01)
  }, 45_000)
})

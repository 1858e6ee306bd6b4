/**
 * Following a live simulator that publishes 50 ids/s (bursts, publication delays, late batches,
 * 8 source addresses by default (ATLAS_FRONTIER_ADDRESSES, ATLAS_TARGET_404 override),
 * throttling at 25 req/s per address): report the lag from publication (simulator truth) to
 * stored (raw.pgcr.date_crawled, the commit time) for raids, and Atlas's own completion→resolved
 * lag. Printed, asserted only loosely: a test never asserts a tight time.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { startAtlas } from "./coordinator/supervisor.ts"
import { quantileOf } from "./sample-window.ts"

const log = createLogger({ level: "warn", fields: { app: "atlas-frontier-test" } })
const WARMUP_MS = 6_000
const MEASURE_MS = 20_000
const ADDRESSES = Array.from({ length: Number(process.env.ATLAS_FRONTIER_ADDRESSES ?? 8) }, (_, i) => `127.0.0.${i + 1}`)

describe("frontier following", () => {
  let db: TestDatabase
  let sim: SimHandle
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    sim = await startSim({ seed: 11, scenario: "calm", port: 0, world: { ratePerSecond: 50, raidShare: 0.2 } })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
  })

  test("lag from publication to stored stays low (p50/p99 printed)", async () => {
    const newest = BigInt(sim.truth.frontier().newestPublishedId ?? sim.truth.frontier().startId)
    const atlas = await startAtlas({
      crawler: "frontier",
      from: newest - 100n,
      to: null,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "frontier-key",
      fetchers: 2,
      maxConcurrency: 48,
      sourceAddresses: ADDRESSES,
      batchSize: 100,
      batchMs: 50,
      metricsPort: 0,
      log,
      logLevel: "warn",
      tickMs: 250,
      target404Share: Number(process.env.ATLAS_TARGET_404 ?? 0.025),
    })
    await Bun.sleep(WARMUP_MS)
    const windowStart = Date.now()
    await Bun.sleep(MEASURE_MS)
    const status = atlas.status()
    const scrape = await fetch(`${atlas.metricsUrl}/metrics`).then((r) => r.text())
    const batchSum = Number(scrape.match(/^atlas_writer_batch_seconds_sum\{[^}]*\} (\S+)$/m)?.[1] ?? NaN)
    const batchCount = Number(scrape.match(/^atlas_writer_batch_seconds_count\{[^}]*\} (\S+)$/m)?.[1] ?? NaN)
    const published = sim.truth.frontier().newestPublishedId
    await atlas.stop()
    const rows = await db.sql<{ id: string; crawled: Date }[]>`
      SELECT instance_id::text AS id, date_crawled AS crawled FROM raw.pgcr WHERE date_crawled >= ${new Date(windowStart)} ORDER BY 1`
    const lags: number[] = []
    for (const row of rows) {
      const truth = sim.truth.id(row.id)
      if (truth.publishedAt !== null) lags.push((row.crawled.getTime() - truth.publishedAt) / 1000)
    }
    const p50 = quantileOf(lags, 0.5)
    const p99 = quantileOf(lags, 0.99)
    const d = status.decision
    console.log(
      `frontier: ${lags.length} raids stored in ${MEASURE_MS / 1000} s; publication→stored p50 ${p50?.toFixed(2)} s, p99 ${p99?.toFixed(2)} s; ` +
        `completion→resolved p50 ${((d?.lagP50Ms ?? NaN) / 1000).toFixed(1)} s, p99 ${((d?.lagP99Ms ?? NaN) / 1000).toFixed(1)} s; ` +
        `404 share ${d?.share404.toFixed(3)}, lead ${d?.leadSec.toFixed(2)} s, requests ${JSON.stringify(status.requests)}; ` +
        `writer: ${batchCount} batches, mean ${((batchSum / batchCount) * 1000).toFixed(0)} ms; ` +
        `at the end: newest published ${published}, cursor ${status.cursor}, ceiling ${status.ceiling}, low-water ${status.lowWater}`,
    )
    expect(lags.length).toBeGreaterThan(30)
    expect(p50!).toBeLessThan(60)
  }, 70_000)
})

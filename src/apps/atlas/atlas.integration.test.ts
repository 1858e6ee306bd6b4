/**
 * Atlas end to end, in-process: the simulator, real Postgres, the real worker threads.
 * Completeness over a bounded history range with throttling, outages, floodgates and malformed
 * bodies switched on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Registry } from "prom-client"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { registerMetrics } from "../../lib/monitoring/metric-table.ts"
import { createHeldSnapshots, type MetricsSnapshot } from "../../lib/monitoring/worker-metrics.ts"
import { HEAP_TRIM_METRICS } from "../../lib/runtime/heap-trim.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { startAtlas } from "./coordinator/supervisor.ts"
import { startInlineRelays } from "./relay/sidecar.ts"

const log = createLogger({ level: process.env.ATLAS_TEST_LOG === "1" ? "info" : "warn", fields: { app: "atlas-test" } })

describe("atlas end to end", () => {
  let db: TestDatabase
  let sim: SimHandle
  let ch: TestClickhouse
  beforeAll(async () => {
    ;[db, ch] = await Promise.all([createTestDatabase({ migrate: true }), createTestClickhouse({ migrate: true })])
    sim = await startSim({
      seed: 42,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 40, sigma: 0.6, maxMs: 2_000 },
      throttle: { enabled: true, limitPerSecond: 25 },
      failures: {
        gameServerThrottleRate: 0.003,
        http500Rate: 0.01,
        http502Rate: 0.01,
        cloudflareChallengeRate: 0.0005,
        truncatedRate: 0.01,
        malformedRate: 0.01,
        nullResponseRate: 0.01,
      },
      world: { raidShare: 0.2 },
    })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
    await ch?.drop()
  })

  test("completeness: exactly the simulator's raids, every other id resolved", async () => {
    const startId = BigInt(sim.truth.frontier().startId)
    const from = startId - 300_000n
    const to = from + 599n
    const truth = sim.truth.range(from, to + 1n)
    const raidKinds = truth.filter((e) => e.kind !== "other" && e.state === "published")
    // Floodgates hold back a slice of the raids for the whole run; an outage comes and goes.
    sim.controls.closeFloodgates({ fromId: from + 450n })
    // The ClickHouse relay runs inline here: this test process already owns the embedded engine.
    const relays = startInlineRelays({ sql: db.sql, clickhouse: ch.client, rabbitmqUrl: null, log, pollMs: 200 })
    // What a relay thread started outside the crawl reports (its heap trims) is served on the crawl's /metrics.
    const relayRegistry = new Registry()
    registerMetrics(relayRegistry, HEAP_TRIM_METRICS).trim.observe({ app: "atlas", thread: "relay" }, 0.02)
    const threadMetrics = createHeldSnapshots()
    threadMetrics.accept("relay", (await relayRegistry.getMetricsAsJSON()) as MetricsSnapshot)
    const atlas = await startAtlas({
      sidecars: [relays],
      threadMetrics,
      crawler: "completeness",
      from,
      to,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "test-key",
      fetchers: 2,
      maxConcurrency: 24,
      sourceAddresses: ["127.0.0.1", "127.0.0.2"],
      batchSize: 100,
      batchMs: 100,
      metricsPort: 0,
      log,
      logLevel: "warn",
      statusIntervalMs: 5_000,
    })
    // Maintenance starts once a quarter of the range is resolved. It ends once Atlas has met it
    // (SystemDisabled, code 5) and its Settings watch has polled during it: decided by progress,
    // not by the clock. Atlas must then resume by itself (the range still resolves).
    const totals = () => sim.truth.stats().totals
    let maintenance: "before" | "on" | "over" = "before"
    let settingsAtStart = 0
    const outage = setInterval(() => {
      if (maintenance === "before" && atlas.status().lowWater >= from + 150n) {
        sim.controls.setMaintenance(true)
        settingsAtStart = totals().byEndpoint.settings ?? 0
        maintenance = "on"
      } else if (maintenance === "on" && (totals().byErrorCode["5"] ?? 0) > 0 && (totals().byEndpoint.settings ?? 0) > settingsAtStart) {
        sim.controls.setMaintenance(false)
        maintenance = "over"
      }
    }, 50)
    const metrics = await fetch(`${atlas.metricsUrl}/metrics`).then((r) => r.text())
    expect(metrics).toContain("atlas_low_water_mark")
    expect(metrics).toContain('runtime_heap_trim_seconds_count{app="atlas",thread="relay"} 1')
    const result = await atlas.done
    clearInterval(outage)
    expect(maintenance as string).toBe("over")
    expect(totals().byErrorCode["5"]).toBeGreaterThan(0)
    expect(result.reason).toBe("rangeResolved")
    expect(result.exitCode).toBe(0)

    const stored = await db.sql<
      { id: string }[]
    >`SELECT instance_id::text AS id FROM core.instance WHERE instance_id BETWEEN ${from.toString()} AND ${to.toString()} ORDER BY 1`
    const ledger = await db.sql<
      { id: string; last_result: string; state: string }[]
    >`SELECT instance_id::text AS id, last_result, state FROM crawl.missed_pgcr`
    const storedIds = stored.map((r) => r.id)
    expect(new Set(storedIds).size).toBe(storedIds.length)
    const ledgered = new Map(ledger.map((r) => [r.id, r.last_result]))
    const expectedRaids = raidKinds.map((e) => e.id)
    // Every raid is stored, or withheld by the floodgates and ledgered as blocked.
    for (const id of expectedRaids) {
      if (!storedIds.includes(id)) expect(ledgered.get(id)).toBe("blocked")
    }
    const truthById = new Map(truth.map((e) => [e.id, e]))
    for (const id of storedIds) expect(truthById.get(id)?.kind).not.toBe("other")
    // Ids that never existed are in the ledger with a reason; nothing else is missing.
    for (const e of truth) {
      if (e.state !== "published") expect(ledgered.get(e.id)).toBeDefined()
    }
    for (const [, reason] of ledgered) expect(reason.length).toBeGreaterThan(0)
    expect(storedIds.length).toBeGreaterThan(50)
    const checkpoint = await db.sql`SELECT low_water_mark::text AS lw FROM crawl.crawler_state WHERE crawler = 'completeness'`
    expect(BigInt(checkpoint[0]!.lw as string)).toBe(to + 1n)
    // ClickHouse holds the same instances (the relay flushed at shutdown).
    const chRows = await (
      await ch.client.query({ query: "SELECT toString(instance_id) AS id FROM instance FINAL ORDER BY instance_id", format: "JSONEachRow" })
    ).json<{ id: string }>()
    expect(chRows.map((r) => r.id)).toEqual(storedIds)
    const requests = result.status.requests
    console.log(`completeness: ${storedIds.length} raids stored, ${ledger.length} ledgered, requests ${JSON.stringify(requests)}`)
  }, 150_000)
})

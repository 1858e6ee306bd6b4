/**
 * ClickHouse down during a crawl: Postgres ingestion goes on untouched (the ch-writer Worker keeps
 * retrying its connection), the ClickHouse rows wait in the outbox, and once ClickHouse is back
 * the relay delivers exactly the stored instances.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createClient } from "@clickhouse/client"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { startAtlas } from "./coordinator/supervisor.ts"
import { startInlineRelays } from "./relay/sidecar.ts"

const log = createLogger({ level: process.env.ATLAS_TEST_LOG === "1" ? "info" : "error", fields: { app: "atlas-ch-outage-test" } })

describe("ClickHouse outage", () => {
  let db: TestDatabase
  let ch: TestClickhouse
  let sim: SimHandle
  beforeAll(async () => {
    ;[db, ch] = await Promise.all([createTestDatabase({ migrate: true }), createTestClickhouse({ migrate: true })])
    sim = await startSim({ seed: 9, scenario: "backfill", port: 0, world: { raidShare: 0.2 } })
  })
  afterAll(async () => {
    await sim?.stop()
    await db?.drop()
    await ch?.drop()
  })

  test("delays analytics, never blocks Postgres", async () => {
    const from = BigInt(sim.truth.frontier().startId) - 200_000n
    const to = from + 599n
    // The relay runs against a ClickHouse nobody answers (inline: this process owns the embedded
    // engine, which a Worker must not load as well).
    const down = createClient({ url: "http://127.0.0.1:9", request_timeout: 1_000, log: { level: 127 as never } })
    const unreachable = startInlineRelays({ sql: db.sql, clickhouse: down, rabbitmqUrl: null, log, pollMs: 200 })
    const atlas = await startAtlas({
      crawler: "ch-outage",
      from,
      to,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: sim.url,
      apiKey: "k",
      fetchers: 2,
      maxConcurrency: 32,
      sourceAddresses: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"],
      batchSize: 100,
      batchMs: 100,
      metricsPort: null,
      log,
      logLevel: "error",
      sidecars: [unreachable],
    })
    const result = await atlas.done
    expect(result.reason).toBe("rangeResolved")
    const stored = (await db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM core.instance ORDER BY instance_id`).map((r) => r.id)
    expect(stored.length).toBeGreaterThan(50)
    // One row per stored instance, and another for each instance whose first-clear or sherpa
    // values a later batch changed (shuffled arrival): distinct ids match what Postgres holds.
    const waiting = await db.sql<{ ids: number; tried: number }[]>`
      SELECT count(DISTINCT convert_from(payload, 'UTF8')::json->>'instanceId')::int AS ids,
             count(*) FILTER (WHERE attempts > 0)::int AS tried
      FROM crawl.outbox WHERE topic = 'clickhouse.instance'`
    expect(waiting[0]!.ids).toBe(stored.length)
    expect(waiting[0]!.tried).toBeGreaterThan(0)
    await down.close()

    // ClickHouse is back: the relay catches up with exactly what Postgres holds.
    await db.sql`UPDATE crawl.outbox SET next_attempt_at = now()`
    const relays = startInlineRelays({ sql: db.sql, clickhouse: ch.client, rabbitmqUrl: null, log })
    await relays.stop()
    const rows = await (
      await ch.client.query({ query: "SELECT toString(instance_id) AS id FROM instance FINAL ORDER BY instance_id", format: "JSONEachRow" })
    ).json<{ id: string }>()
    expect(rows.map((r) => r.id)).toEqual(stored)
    const left = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM crawl.outbox WHERE topic = 'clickhouse.instance'`
    expect(left[0]!.n).toBe(0)
  }, 60_000)
})

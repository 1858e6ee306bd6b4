/**
 * Runs Atlas in this process through its programmatic entry (src/apps/atlas/atlas.ts
 * `startAtlas`: coordinator on the main thread, fetcher and pg-writer Worker threads) against a
 * fresh, migrated test database, with "all storage on": the pg-writer's Postgres transaction
 * (raw PGCR, instance, players, aggregates, outbox) plus the ClickHouse outbox relay into a fresh
 * embedded ClickHouse database (in this process, like `bun run atlas` with embedded chdb).
 */
import { startAtlas, type AtlasHandle } from "../../src/apps/atlas/atlas.ts"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "../../src/lib/database/testing.ts"
import { createClickhouseSink } from "../../src/lib/messaging/clickhouse-sink.ts"
import { createOutboxRelay } from "../../src/lib/messaging/outbox-relay.ts"
import { createLogger } from "../../src/lib/monitoring/logger.ts"
import type { LimiterOptions } from "../../src/lib/ratelimit/index.ts"

export interface BenchAtlasOptions {
  crawler: string
  from: bigint | null
  to: bigint | null
  baseUrl: string
  apiKey: string
  fetchers: number
  maxConcurrency: number
  batchSize: number
  batchMs: number
  sourceAddresses?: string[]
  frontierHint?: bigint | null
  limiterOptions?: Partial<LimiterOptions>
  clickhouse: boolean
  /** Reuse a database across runs (sweep); default: a fresh one, dropped by close(). */
  db?: TestDatabase
}

export interface BenchAtlas {
  atlas: AtlasHandle
  db: TestDatabase
  clickhouse: TestClickhouse | null
  /** Distinct instances that reached ClickHouse so far. */
  countClickhouseInstances(): Promise<number>
  /** Polls until ClickHouse holds `expected` instances or the timeout passes; returns the count. */
  waitForClickhouse(expected: number, timeoutMs: number): Promise<number>
  /** Drops what this run created (not a database passed in). */
  close(): Promise<void>
}

/** An unthrottled simulator needs no rate ceiling: lift it so only the machine limits Atlas. */
export const UNLIMITED_RATE: Partial<LimiterOptions> = { initialCeiling: 100_000, maxCeiling: 100_000, minCeiling: 1 }

export async function startBenchAtlas(o: BenchAtlasOptions): Promise<BenchAtlas> {
  const ownDb = !o.db
  const db = o.db ?? (await createTestDatabase({ migrate: true, max: 4 }))
  const clickhouse = o.clickhouse ? await createTestClickhouse({ migrate: true }) : null
  const log = createLogger({ level: "warn", fields: { app: "atlas", bench: o.crawler } })
  // Started here rather than as an Atlas sidecar so it can keep draining after Atlas exits
  // (the benchmark times "stored in ClickHouse" separately from "committed in Postgres").
  const relay = clickhouse
    ? createOutboxRelay({ sql: db.sql, sink: createClickhouseSink({ client: clickhouse.client, sql: db.sql }), topicPrefix: "clickhouse.", exclusive: true, pollMs: 100, logger: log })
    : null
  relay?.start()
  const atlas = await startAtlas({
    crawler: o.crawler, from: o.from, to: o.to, sql: db.sql, databaseUrl: db.url, baseUrl: o.baseUrl, apiKey: o.apiKey,
    userAgent: "RaidHub-Services-Bench/0.1 (+bench)", fetchers: o.fetchers, maxConcurrency: o.maxConcurrency,
    sourceAddresses: o.sourceAddresses ?? [], batchSize: o.batchSize, batchMs: o.batchMs, metricsPort: null, log, logLevel: "warn",
    frontierHint: o.frontierHint ?? null, limiterOptions: o.limiterOptions, statusIntervalMs: 3_600_000,
  })
  const countClickhouseInstances = async () => {
    if (!clickhouse) return 0
    const rs = await clickhouse.client.query({ query: "select uniqExact(instance_id) as n from instance", format: "JSONEachRow" })
    const rows = (await rs.json()) as { n: string | number }[]
    return Number(rows[0]?.n ?? 0)
  }
  return {
    atlas, db, clickhouse, countClickhouseInstances,
    async waitForClickhouse(expected, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      let n = await countClickhouseInstances()
      while (n < expected && Date.now() < deadline) {
        await Bun.sleep(100)
        n = await countClickhouseInstances()
      }
      return n
    },
    async close() {
      await relay?.stop()
      if (clickhouse) await clickhouse.drop().catch(() => {})
      if (ownDb) await db.drop().catch(() => {})
    },
  }
}

/**
 * Runs Atlas in this process through its programmatic entry (src/apps/atlas/atlas.ts
 * `startAtlas`: coordinator on the main thread, fetcher, pg-writer and ch-writer Worker threads)
 * against a fresh, migrated test database, with "all storage on" as `bun run atlas` runs it: the
 * pg-writer's Postgres transaction (raw PGCR, instance, players, aggregates, outbox) and the
 * ch-writer Worker relaying the ClickHouse outbox into embedded ClickHouse (a unique database in
 * a per-process temp data directory; libchdb binds one directory per process). No RabbitMQ:
 * queue outbox rows wait in the outbox, as without a broker in production.
 */
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type AtlasHandle, startAtlas } from "../../src/apps/atlas/coordinator/supervisor.ts"
import { startRelayThread } from "../../src/apps/atlas/relay/sidecar.ts"
import { createTestDatabase, type TestDatabase, uniqueName } from "../../src/lib/database/testing.ts"
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
  heapTrimMs: number
  target404Share?: number
  sourceAddresses?: string[]
  frontierHint?: bigint | null
  limiterOptions?: Partial<LimiterOptions>
  /** Run the ch-writer Worker (ClickHouse relay) as Atlas' sidecar. */
  clickhouse: boolean
  tickMs?: number
  /** Reuse a database across runs (sweep); default: a fresh one, dropped by close(). */
  db?: TestDatabase
}

export interface BenchAtlas {
  atlas: AtlasHandle
  db: TestDatabase
  /** ClickHouse outbox rows not yet relayed (0 after a clean shutdown: the ch-writer flushes). */
  countClickhousePending(): Promise<number>
  /** Drops what this run created (not a database passed in). */
  close(): Promise<void>
}

/** An unthrottled simulator needs no rate ceiling: lift it so only the machine limits Atlas. */
export const UNLIMITED_RATE: Partial<LimiterOptions> = { initialCeiling: 100_000, maxCeiling: 100_000, minCeiling: 1 }

const CHDB_DIR = join(tmpdir(), `raidhub-bench-chdb-${process.pid}`)
let chdbCleanup = false

export async function startBenchAtlas(o: BenchAtlasOptions): Promise<BenchAtlas> {
  const ownDb = !o.db
  const db = o.db ?? (await createTestDatabase({ migrate: true, max: 4 }))
  const log = createLogger({ level: "warn", fields: { app: "atlas", bench: o.crawler } })
  const sidecars = []
  if (o.clickhouse) {
    if (!chdbCleanup) {
      chdbCleanup = true
      process.on("exit", () => rmSync(CHDB_DIR, { recursive: true, force: true }))
    }
    sidecars.push(
      startRelayThread({
        databaseUrl: db.url,
        clickhouseUrl: null,
        clickhouseDatabase: uniqueName("bench"),
        dataDir: CHDB_DIR,
        rabbitmqUrl: null,
        logLevel: "warn",
        log,
        heapTrimMs: o.heapTrimMs,
      }),
    )
  }
  const atlas = await startAtlas({
    crawler: o.crawler,
    from: o.from,
    to: o.to,
    sql: db.sql,
    databaseUrl: db.url,
    baseUrl: o.baseUrl,
    apiKey: o.apiKey,
    fetchers: o.fetchers,
    maxConcurrency: o.maxConcurrency,
    sourceAddresses: o.sourceAddresses ?? [],
    batchSize: o.batchSize,
    batchMs: o.batchMs,
    heapTrimMs: o.heapTrimMs,
    metricsPort: null,
    log,
    logLevel: "warn",
    frontierHint: o.frontierHint ?? null,
    limiterOptions: o.limiterOptions,
    target404Share: o.target404Share,
    sidecars,
    statusIntervalMs: 3_600_000,
    tickMs: o.tickMs,
  })
  return {
    atlas,
    db,
    async countClickhousePending() {
      const [row] = await db.sql.unsafe<{ n: number }[]>(
        "select count(*)::int as n from crawl.outbox where starts_with(topic, 'clickhouse.')",
      )
      return row?.n ?? 0
    },
    async close() {
      if (ownDb) await db.drop().catch(() => {})
    },
  }
}

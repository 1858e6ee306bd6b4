/**
 * Child process for `memory`: nothing but Atlas (no ClickHouse, no benchmark workers) crawling a
 * bounded range at full speed, sampling its own RSS every 250 ms. Prints one JSON line.
 * argv[2] = JSON { url, apiKey, databaseUrl, from, to, fetchers, maxConcurrency, batchSize, batchMs, heapTrimMs, frontierHint }
 * (the parent creates and drops the migrated database).
 */
// Deliberately not bench/lib/atlas-run.ts: it opens an embedded ClickHouse, which loads libchdb
// (~150 MB of RSS) — this child must hold Atlas and nothing else.
import { startAtlas } from "../../src/apps/atlas/coordinator/supervisor.ts"
import { createSql } from "../../src/lib/database/postgres.ts"
import { createLogger } from "../../src/lib/monitoring/logger.ts"

const o = JSON.parse(process.argv[2]!) as {
  url: string
  apiKey: string
  databaseUrl: string
  from: string
  to: string
  fetchers: number
  maxConcurrency: number
  batchSize: number
  batchMs: number
  heapTrimMs: number
  frontierHint: string
}
const baselineMb = process.memoryUsage().rss / 1048576
let peak = process.memoryUsage().rss
const samples: number[] = []
const timer = setInterval(() => {
  const rss = process.memoryUsage().rss
  samples.push(rss / 1048576)
  peak = Math.max(peak, rss)
}, 250)
const started = performance.now()
const sql = createSql(o.databaseUrl, { max: 4, applicationName: "bench-memory" })
const atlas = await startAtlas({
  crawler: "bench-memory",
  from: BigInt(o.from),
  to: BigInt(o.to),
  sql,
  databaseUrl: o.databaseUrl,
  baseUrl: o.url,
  apiKey: o.apiKey,
  fetchers: o.fetchers,
  maxConcurrency: o.maxConcurrency,
  sourceAddresses: [],
  batchSize: o.batchSize,
  batchMs: o.batchMs,
  heapTrimMs: o.heapTrimMs,
  metricsPort: null,
  log: createLogger({ level: "warn" }),
  logLevel: "warn",
  frontierHint: BigInt(o.frontierHint),
  statusIntervalMs: 3_600_000,
  // Same lifted rate ceiling as bench/lib/atlas-run.ts UNLIMITED_RATE (the sim is unthrottled).
  limiterOptions: { initialCeiling: 100_000, maxCeiling: 100_000, minCeiling: 1 },
})
const result = await atlas.done
const seconds = (performance.now() - started) / 1000
clearInterval(timer)
await sql.end({ timeout: 5 })
const sorted = [...samples].sort((a, b) => a - b)
console.log(
  JSON.stringify({
    baselineMb,
    peakMb: peak / 1048576,
    p50Mb: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    seconds,
    pgcrPerSecond: (Number(BigInt(o.to) - BigInt(o.from)) + 1) / seconds,
    exit: result.reason,
  }),
)
process.exit(0)

/**
 * Postgres stopped in the middle of a bounded crawl and started again a minute later (a private
 * embedded server: the shared one on 5432 is never touched). The pg-writer must hold its batches
 * through the outage, with the fetchers held back by the writer queue, and store them when the
 * database returns: every raid of the range stored, none ledgered as storeFailed, memory bounded.
 *
 * The outage (OUTAGE_MS, 60 s by default) is far longer than the old writer's retry window (four
 * attempts, ~4 s, before a lone raid went to the ledger as storeFailed).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runPostgresMigrations } from "../../lib/database/migrate/postgres.ts"
import { createSql, type EmbeddedPostgresServer, ensureDatabase, type Sql, startEmbeddedPostgres } from "../../lib/database/postgres.ts"
import { findFreePort } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { startAtlas } from "./coordinator/supervisor.ts"

const OUTAGE_MS = Number(process.env.ATLAS_TEST_OUTAGE_MS ?? 60_000)
const WRITER_QUEUE_BOUND = 300
const silent = createLogger({ level: "silent" })

describe("Postgres outage mid-crawl", () => {
  let dataDir: string
  let port: number
  let server: EmbeddedPostgresServer
  let sql: Sql
  let sim: SimHandle
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "atlas-pg-outage-"))
    port = await findFreePort()
    server = await startEmbeddedPostgres({ dataDir: join(dataDir, "postgres"), port, logger: silent })
    await ensureDatabase(server.url("postgres"), "outage")
    sql = createSql(server.url("outage"), { max: 4 })
    await runPostgresMigrations(sql, { logger: silent })
    sim = await startSim({ seed: 14, scenario: "backfill", port: 0, world: { raidShare: 0.2 } })
  }, 120_000)
  afterAll(async () => {
    await sim?.stop()
    await sql?.end({ timeout: 5 })
    await server?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  test(
    "every raid stored, none storeFailed, the writer holds a bounded queue",
    async () => {
      const from = BigInt(sim.truth.frontier().startId) - 200_000n
      const to = from + 2_999n
      const truth = sim.truth.range(from, to + 1n)
      const raids = truth.filter((e) => e.kind !== "other" && e.state === "published").map((e) => e.id)
      const statusLines: { writerQueue: number; at: number }[] = []
      // Errors and the stop line are kept: a failed run must say why it stopped (a fatal reason).
      const telling: string[] = []
      const log = createLogger({
        level: "info",
        sink: (line) => {
          const event = JSON.parse(line) as { event?: string; msg?: string; writerQueue?: number; level?: string }
          if (event.level === "error" || (event.event ?? event.msg) === "atlas.stopped") telling.push(line.trim())
          if ((event.event ?? event.msg) === "atlas.status" && typeof event.writerQueue === "number") {
            statusLines.push({ writerQueue: event.writerQueue, at: Date.now() })
          }
          if (process.env.ATLAS_TEST_LOG === "1") process.stderr.write(line)
        },
      })
      const atlas = await startAtlas({
        crawler: "pg-outage",
        from,
        to,
        sql,
        databaseUrl: server.url("outage"),
        baseUrl: sim.url,
        apiKey: "k",
        fetchers: 2,
        maxConcurrency: 16,
        sourceAddresses: ["127.0.0.1", "127.0.0.2"],
        batchSize: 50,
        batchMs: 100,
        writerQueueBound: WRITER_QUEUE_BOUND,
        metricsPort: null,
        log,
        logLevel: process.env.ATLAS_TEST_LOG === "1" ? "info" : "error",
        statusIntervalMs: 1_000,
      })

      // Mid-crawl: some raids are stored, most of the range is still ahead.
      const deadline = Date.now() + 60_000
      while (atlas.status().raidsStored < 40) {
        if (Date.now() > deadline) throw new Error("no raids stored before the outage")
        await Bun.sleep(50)
      }
      const lowWaterAtStop = atlas.status().lowWater
      expect(lowWaterAtStop).toBeLessThan(from + 1_500n)
      await server.stop()
      const outageStart = Date.now()
      const rssAtStop = process.memoryUsage().rss
      const rss: number[] = []
      const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 500)
      await Bun.sleep(OUTAGE_MS)
      clearInterval(sampler)
      const storedDuringOutage = atlas.status().raidsStored
      server = await startEmbeddedPostgres({ dataDir: join(dataDir, "postgres"), port, logger: silent })
      const outageEnd = Date.now()

      const result = await atlas.done
      expect({ reason: result.reason, telling: result.reason === "rangeResolved" ? [] : telling }).toEqual({
        reason: "rangeResolved",
        telling: [],
      })
      expect(result.exitCode).toBe(0)

      const stored = new Set(
        (
          await sql<{ id: string }[]>`
          SELECT instance_id::text AS id FROM core.instance WHERE instance_id BETWEEN ${from.toString()} AND ${to.toString()}`
        ).map((r) => r.id),
      )
      const ledger = await sql<{ id: string; last_result: string }[]>`SELECT instance_id::text AS id, last_result FROM crawl.missed_pgcr`
      expect(ledger.filter((r) => r.last_result === "storeFailed")).toEqual([])
      const missing = raids.filter((id) => !stored.has(id))
      expect(missing).toEqual([])
      // Raids waited for the database rather than being stored around it.
      expect(result.status.raidsStored).toBeGreaterThan(storedDuringOutage)

      // Bounded during the outage: the writer queue stopped near its bound (in-flight requests and
      // retries that end in the ledger still arrive after the fetchers stop claiming).
      const during = statusLines.filter((s) => s.at > outageStart + 5_000 && s.at < outageEnd)
      expect(during.length).toBeGreaterThan(3)
      const heldMax = Math.max(...during.map((s) => s.writerQueue))
      expect(heldMax).toBeGreaterThan(0)
      expect(heldMax).toBeLessThan(WRITER_QUEUE_BOUND + 200)
      // RSS (this whole process: simulator, harness and atlas) levels off once the queue is full:
      // the last third of the outage adds little to what the first two thirds reached.
      const mb = (n: number) => n / 2 ** 20
      const split = Math.floor((rss.length * 2) / 3)
      const earlyPeak = Math.max(...rss.slice(0, split))
      const latePeak = Math.max(...rss.slice(split))
      const growthMb = mb(Math.max(earlyPeak, latePeak) - rssAtStop)
      expect(growthMb).toBeLessThan(200)
      expect(mb(latePeak - earlyPeak)).toBeLessThan(50)
      console.log(
        `pg outage ${OUTAGE_MS / 1000} s: ${stored.size} raids stored (${raids.length} in the range), writer held ≤ ${heldMax} items, RSS +${growthMb.toFixed(1)} MB during the outage (+${mb(latePeak - earlyPeak).toFixed(1)} MB in its last third)`,
      )
    },
    120_000 + OUTAGE_MS,
  )
})

/**
 * `bun run atlas`: the crawler CLI. Parses the command line (settings from env and flags, run
 * flags; src/lib/cli), waits for Postgres (embedded when DATABASE_URL is empty) before anything
 * else starts, applies migrations, starts the simulator with --sim, then runs Atlas until the
 * range is resolved or a signal stops it. runMain turns bad flags, bad settings, an unreachable
 * database and a busy metrics port into one line and exit 2.
 */

import { hostname } from "node:os"
import { runMain } from "../../lib/cli/run-main.ts"
import { UsageError } from "../../lib/cli/usage-error.ts"
import { SHARED_KEYS } from "../../lib/config/keys-shared.ts"
import { ConfigError } from "../../lib/config/load-config.ts"
import { runPostgresMigrations } from "../../lib/database/migrate/postgres.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { createHeldSnapshots } from "../../lib/monitoring/worker-metrics.ts"
import { checkPortFree } from "../../lib/runtime/check-port-free.ts"
import { postgresService } from "../../lib/runtime/services.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { waitForService } from "../../lib/runtime/wait-for-service.ts"
import type { FleetStatus } from "./coordinator/atlas-metrics.ts"
import { nameBoundedCrawler } from "./coordinator/checkpoint.ts"
import { startAtlas } from "./coordinator/supervisor.ts"
import { ATLAS_COMMAND, type AtlasCommandLine, checkAtlasFlags } from "./flags.ts"
import { startAfterFleet } from "./fleet/after-fleet.ts"
import { startFleet } from "./fleet/fleet-runner.ts"
import { serveFleetFront } from "./fleet/front-server.ts"
import { fleetRangeSizes } from "./fleet/lease-plan.ts"
import { fleetOrigin } from "./fleet/origin.ts"
import { startRelayThread } from "./relay/sidecar.ts"

const SIM_API_KEY = "atlas-sim-key"

/**
 * The simulator throttles each source address at ~25 req/s like Bungie, and publishes ~50 ids/s:
 * one address can never follow it. A production crawler box sends from an IPv6 block; with --sim
 * and no addresses configured, send from 8 loopback addresses (Linux routes all of 127/8 to lo)
 * so the demo behaves like such a box. An explicit ATLAS_SOURCE_ADDRESSES always wins.
 */
const SIM_DEFAULT_SOURCE_ADDRESSES: readonly string[] = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`)

function chooseSourceAddresses(configured: readonly string[], sim: boolean): readonly string[] {
  return sim && configured.length === 0 ? SIM_DEFAULT_SOURCE_ADDRESSES : configured
}

async function main({ config, flags }: AtlasCommandLine): Promise<number> {
  checkAtlasFlags(flags)
  if (flags.viaZeus) {
    if (!config.ZEUS_URL)
      throw new ConfigError([{ key: "ZEUS_URL", value: "(unset)", reason: "--via-zeus sends every request through zeus: set its URL" }])
    if (config.ATLAS_SOURCE_ADDRESSES.length > 0) {
      throw new ConfigError([
        {
          key: "ATLAS_SOURCE_ADDRESSES",
          value: JSON.stringify(config.ATLAS_SOURCE_ADDRESSES.join(",")),
          reason: "with --via-zeus zeus owns every address: leave it empty",
        },
      ])
    }
    if (flags.sim) throw new UsageError("--via-zeus and --sim exclude each other (point zeus's BUNGIE_BASE_URL at a simulator instead)")
  } else if (!flags.sim && !config.BUNGIE_API_KEY) {
    throw new ConfigError([{ key: "BUNGIE_API_KEY", value: "(unset)", reason: "required unless --sim or --via-zeus is given" }])
  }
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "atlas" } })

  // The database first: nothing else starts until it answers (or the start-up wait runs out).
  const pg = await waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      logger: log,
      max: 4,
      applicationName: "atlas",
    }),
    { waitSeconds: config.SERVICE_WAIT_SECONDS, log },
  )
  // Installed after the embedded server started: its exit hook (registered on start) must not stop
  // Postgres under the drain; Atlas stops it itself in the finally below.
  const signals = installShutdownHandlers(log, "atlas")
  let stopSim: (() => Promise<void>) | null = null
  try {
    if (config.ATLAS_METRICS_PORT !== null) await checkPortFree(config.ATLAS_METRICS_PORT)

    // Atlas keeps its own addresses and limiter (tuned to the crawl) unless --via-zeus gives
    // zeus every address. A redirected stats host (simulator, proxy) with the www host left at its
    // default gets Settings calls too rather than Bungie.
    let baseUrl = config.BUNGIE_BASE_URL
    let wwwBaseUrl =
      config.BUNGIE_BASE_URL !== SHARED_KEYS.BUNGIE_BASE_URL.default &&
      config.BUNGIE_WWW_BASE_URL === SHARED_KEYS.BUNGIE_WWW_BASE_URL.default
        ? config.BUNGIE_BASE_URL
        : config.BUNGIE_WWW_BASE_URL
    let apiKey = config.BUNGIE_API_KEY
    let frontierHint: bigint | null = null
    if (flags.sim) {
      // Imported lazily: production never loads the simulator.
      const { startSim } = await import("../../sim/server.ts")
      const sim = await startSim({ seed: flags.simSeed, port: 0, scenario: flags.simScenario })
      baseUrl = sim.url
      wwwBaseUrl = sim.url
      apiKey = apiKey ?? SIM_API_KEY
      frontierHint = BigInt(sim.truth.frontier().startId) - 1n
      stopSim = () => sim.stop()
      log.info("atlas.sim", { url: sim.url, seed: flags.simSeed, scenario: flags.simScenario, startId: sim.truth.frontier().startId })
    }

    await runPostgresMigrations(pg.sql, { logger: log })
    const crawler = flags.to !== null && flags.from !== null ? nameBoundedCrawler(flags.crawler, flags.from, flags.to) : flags.crawler
    const relayMetrics = createHeldSnapshots()
    const relay = startRelayThread({
      databaseUrl: pg.url,
      clickhouseUrl: config.CLICKHOUSE_URL,
      clickhouseDatabase: config.CLICKHOUSE_DATABASE,
      dataDir: config.DATA_DIR,
      rabbitmqUrl: config.RABBITMQ_URL,
      logLevel: config.LOG_LEVEL,
      log,
      heapTrimMs: config.ATLAS_HEAP_TRIM_S * 1000,
      onMetrics: (snapshot) => relayMetrics.accept("relay", snapshot),
    })
    const atlasOptions = {
      sql: pg.sql,
      databaseUrl: pg.url,
      baseUrl,
      wwwBaseUrl,
      apiKey: apiKey ?? "",
      viaZeusUrl: flags.viaZeus ? config.ZEUS_URL : null,
      fetchers: config.ATLAS_FETCHERS,
      maxConcurrency: config.ATLAS_MAX_CONCURRENCY,
      sourceAddresses: chooseSourceAddresses(config.ATLAS_SOURCE_ADDRESSES, flags.sim),
      batchSize: config.ATLAS_BATCH_SIZE,
      batchMs: config.ATLAS_BATCH_MAX_MS,
      metricsPort: config.ATLAS_METRICS_PORT,
      log,
      logLevel: config.LOG_LEVEL,
      frontierHint,
      target404Share: config.ATLAS_TARGET_404_SHARE,
      lateWindowMs: config.ATLAS_LATE_PUBLICATION_WINDOW_S * 1000,
      heapTrimMs: config.ATLAS_HEAP_TRIM_S * 1000,
      threadMetrics: relayMetrics,
    }
    if (config.ATLAS_FLEET) {
      let fleetStatus: () => FleetStatus | null = () => null
      // One stable metrics port for the process; each range's own server takes a free port.
      let currentMetricsUrl: string | null = null
      const front =
        config.ATLAS_METRICS_PORT === null
          ? null
          : serveFleetFront({ port: config.ATLAS_METRICS_PORT, current: () => currentMetricsUrl, fleetStatus: () => fleetStatus() })
      if (front) log.info("atlas.fleet.metrics", { url: `${front.url}/metrics` })
      const fleet = startFleet({
        sql: pg.sql,
        crawler,
        owner: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 6)}`,
        leaseMs: config.ATLAS_FLEET_LEASE_S * 1000,
        origin: await fleetOrigin(pg.sql, flags.crawler, flags.from, frontierHint),
        end: flags.to === null ? null : flags.to + 1n,
        sizes: fleetRangeSizes(config.ATLAS_FLEET_MAX_RANGE),
        log,
        crawlRange: async (range) => {
          const atlas = await startAtlas({
            ...atlasOptions,
            ...range,
            metricsPort: front === null ? null : 0,
            knownFrontier: range.frontier,
            fleetStatus: () => fleetStatus(),
          })
          currentMetricsUrl = atlas.metricsUrl
          void atlas.done.then(() => {
            if (currentMetricsUrl === atlas.metricsUrl) currentMetricsUrl = null
          })
          return {
            lowWater: () => atlas.status().lowWater,
            claimedAll: () => atlas.status().cursor > range.to,
            frontier: () => atlas.status().decision?.frontierEstimate ?? null,
            holesSince: () => atlas.holesSince(),
            stop: () => atlas.stop(),
            done: atlas.done,
          }
        },
      })
      fleetStatus = () => fleet.status()
      void signals.requested.then(() => fleet.stop())
      try {
        const result = await fleet.done
        log.info("atlas.fleet.stopped", { reason: result.reason, ranges: result.ranges })
        return result.exitCode
      } finally {
        await front?.stop()
        // On every path: a running relay thread would keep the process alive.
        await relay.stop().catch((error) => log.warn("atlas.sidecar.stop_failed", { name: relay.name, error }))
      }
    }
    let from = flags.from
    if (from === null && flags.to === null) {
      // One process where a fleet ran: go on from the fleet's mark, not an older checkpoint.
      const after = await startAfterFleet(pg.sql, crawler)
      if (after) {
        log.info("atlas.start_after_fleet", { from: after.from })
        if (after.liveOwners.length > 0) {
          log.warn("atlas.fleet_still_running", { owners: after.liveOwners, fix: "stop them, or run this process with --fleet too" })
        }
        from = after.from
      }
    }
    const atlas = await startAtlas({ ...atlasOptions, crawler, from, to: flags.to, sidecars: [relay] })
    void signals.requested.then(() => atlas.stop())
    const result = await atlas.done
    return result.exitCode
  } finally {
    signals.dispose()
    await pg.close().catch(() => {})
    if (stopSim) await stopSim().catch(() => {})
  }
}

await runMain(ATLAS_COMMAND, main)

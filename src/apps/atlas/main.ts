/**
 * `bun run atlas`: the crawler CLI. Loads the config (env + deployment flags), parses the run
 * flags, connects Postgres (embedded when DATABASE_URL is empty) and applies migrations, starts
 * the simulator with --sim, then runs Atlas until the range is resolved or a signal stops it.
 */
import { CONFIG_TABLE, loadConfigWithArgs } from "../../lib/config.ts"
import { runPostgresMigrations } from "../../lib/database/migrate/postgres.ts"
import { connectPostgres } from "../../lib/database/postgres.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { nameBoundedCrawler } from "./coordinator/checkpoint.ts"
import { startAtlas } from "./coordinator/supervisor.ts"
import { FlagError, HELP_TEXT, parseFlags } from "./flags.ts"
import { startRelayThread } from "./relay/sidecar.ts"

const SIM_API_KEY = "atlas-sim-key"

/**
 * The simulator throttles each source address at ~25 req/s like Bungie, and publishes ~50 ids/s:
 * one address can never follow it. A production crawler box sends from an IPv6 block; with --sim
 * and no addresses configured, send from 8 loopback addresses (Linux routes all of 127/8 to lo)
 * so the demo behaves like such a box. An explicit RAIDHUB_SOURCE_ADDRESSES always wins.
 */
const SIM_DEFAULT_SOURCE_ADDRESSES: readonly string[] = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`)

function chooseSourceAddresses(configured: readonly string[], sim: boolean): readonly string[] {
  return sim && configured.length === 0 ? SIM_DEFAULT_SOURCE_ADDRESSES : configured
}

async function main(): Promise<number> {
  let loaded: ReturnType<typeof loadConfigWithArgs>
  let flags: ReturnType<typeof parseFlags>
  try {
    loaded = loadConfigWithArgs(process.env, process.argv.slice(2))
    flags = parseFlags(loaded.rest)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${error instanceof FlagError ? HELP_TEXT : ""}`)
    return 2
  }
  if (flags.help) {
    process.stdout.write(HELP_TEXT)
    return 0
  }
  const config = loaded.config
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "atlas" } })

  let baseUrl = config.BUNGIE_BASE_URL
  // A redirected stats host (simulator, proxy) with the www host left at its default: send
  // Settings there too rather than to Bungie.
  let wwwBaseUrl =
    config.BUNGIE_BASE_URL !== CONFIG_TABLE.BUNGIE_BASE_URL.default &&
    config.BUNGIE_WWW_BASE_URL === CONFIG_TABLE.BUNGIE_WWW_BASE_URL.default
      ? config.BUNGIE_BASE_URL
      : config.BUNGIE_WWW_BASE_URL
  let apiKey = config.BUNGIE_API_KEY
  let frontierHint: bigint | null = null
  let stopSim: (() => Promise<void>) | null = null
  if (flags.sim) {
    // Imported lazily: production never loads the simulator.
    const { startSim } = await import("../../sim/server.ts")
    const sim = await startSim({ seed: flags.simSeed, port: 0, scenario: flags.simScenario as "realistic" })
    baseUrl = sim.url
    wwwBaseUrl = sim.url
    apiKey = apiKey ?? SIM_API_KEY
    frontierHint = BigInt(sim.truth.frontier().startId) - 1n
    stopSim = () => sim.stop()
    log.info("atlas.sim", { url: sim.url, seed: flags.simSeed, scenario: flags.simScenario, startId: sim.truth.frontier().startId })
  }
  if (!apiKey) {
    log.error("atlas.config", { reason: "BUNGIE_API_KEY is required unless --sim is given" })
    return 2
  }

  const pg = await connectPostgres({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    embeddedPort: config.EMBEDDED_POSTGRES_PORT,
    logger: log,
    max: 4,
    applicationName: "atlas",
  })
  // Installed after the embedded server started: its exit hook (registered on start) must not stop
  // Postgres under the drain; Atlas stops it itself in the finally below.
  const signals = installShutdownHandlers(log, "atlas")
  try {
    await runPostgresMigrations(pg.sql, { logger: log })
    const crawler = flags.to !== null && flags.from !== null ? nameBoundedCrawler(flags.crawler, flags.from, flags.to) : flags.crawler
    const relay = startRelayThread({
      databaseUrl: pg.url,
      clickhouseUrl: config.CLICKHOUSE_URL,
      clickhouseDatabase: config.CLICKHOUSE_DATABASE,
      dataDir: config.DATA_DIR,
      rabbitmqUrl: config.RABBITMQ_URL,
      logLevel: config.LOG_LEVEL,
      log,
    })
    const metricsPort = flags.metricsPort === "off" ? null : (flags.metricsPort ?? config.ATLAS_METRICS_PORT)
    const atlas = await startAtlas({
      crawler,
      from: flags.from,
      to: flags.to,
      sql: pg.sql,
      databaseUrl: pg.url,
      baseUrl,
      wwwBaseUrl,
      apiKey,
      fetchers: config.RAIDHUB_FETCHERS,
      maxConcurrency: config.RAIDHUB_MAX_CONCURRENCY,
      sourceAddresses: chooseSourceAddresses(config.RAIDHUB_SOURCE_ADDRESSES, flags.sim),
      batchSize: config.RAIDHUB_BATCH_SIZE,
      batchMs: config.RAIDHUB_BATCH_MAX_MS,
      metricsPort,
      log,
      logLevel: config.LOG_LEVEL,
      frontierHint,
      target404Share: config.RAIDHUB_TARGET_404_SHARE,
      sidecars: [relay],
    })
    void signals.requested.then(() => atlas.stop())
    const result = await atlas.done
    return result.exitCode
  } finally {
    signals.dispose()
    await pg.close().catch(() => {})
    if (stopSim) await stopSim().catch(() => {})
  }
}

process.exit(await main())

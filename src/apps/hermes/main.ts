/**
 * `bun run hermes [--queue NAME ...] [--metrics-port N] [--no-relays]`: the queue-worker app.
 * Loads the config, waits (bounded) for Postgres and RabbitMQ, applies migrations, and runs the
 * runtime with the pipeline workers until a signal: the first SIGINT/SIGTERM stops consuming,
 * finishes what is in flight and exits 0.
 *
 * Exit codes: 0 stopped gracefully, 2 bad configuration or a service unreachable at start-up
 * (one line naming the setting), 1 anything else.
 */
import { ConfigError, loadConfigWithArgs } from "../../lib/config.ts"
import { runPostgresMigrations } from "../../lib/database/migrate/postgres.ts"
import { connectPostgres, type PostgresHandle } from "../../lib/database/postgres.ts"
import { loadDefinitions } from "../../lib/definitions.ts"
import { QUEUES, type QueueName } from "../../lib/messaging/queues.ts"
import { connectRabbit } from "../../lib/messaging/rabbit-connection.ts"
import { type RelayHost, startRelayHost } from "../../lib/messaging/relay-host.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { createQueueWorker, QUEUES_WITH_WORKERS } from "../../queue-workers/registry.ts"
import { createHermesBungie } from "./bungie.ts"
import { createClickhouseWriter } from "./clickhouse-writer.ts"
import { loadHermesConfig } from "./config.ts"
import { HELP_TEXT, parseHermesFlags, parseQueueList, UsageError } from "./flags.ts"
import { startHermes } from "./runtime/hermes.ts"
import { describeTarget, ServiceUnavailableError, waitForService } from "./wait-for-services.ts"

async function main(): Promise<number> {
  let loaded: ReturnType<typeof loadConfigWithArgs>
  let flags: ReturnType<typeof parseHermesFlags>
  let hermesConfig: ReturnType<typeof loadHermesConfig>
  let queues: QueueName[]
  try {
    loaded = loadConfigWithArgs(process.env, process.argv.slice(2))
    flags = parseHermesFlags(loaded.rest)
    hermesConfig = loadHermesConfig(process.env)
    queues = flags.queues.length > 0 ? flags.queues : parseQueueList(hermesConfig.HERMES_QUEUES)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`hermes: ${error.message}\n${error instanceof UsageError ? `\n${HELP_TEXT}` : ""}`)
      return 2
    }
    throw error
  }
  if (flags.help) {
    process.stdout.write(HELP_TEXT)
    return 0
  }
  const config = loaded.config
  if (!config.RABBITMQ_URL) {
    process.stderr.write("hermes: RABBITMQ_URL is not set: hermes consumes RabbitMQ queues (e.g. amqp://guest:guest@127.0.0.1:5672)\n")
    return 2
  }
  if (queues.length === 0) queues = [...QUEUES_WITH_WORKERS]
  const needsBungie = queues.some((q) => QUEUES[q].bungieSystems.length > 0)
  if (needsBungie && !config.BUNGIE_API_KEY) {
    process.stderr.write(
      `hermes: BUNGIE_API_KEY is not set, and ${queues.filter((q) => QUEUES[q].bungieSystems.length > 0).join(", ")} call Bungie\n`,
    )
    return 2
  }
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "hermes" } })
  const waitMs = hermesConfig.SERVICE_WAIT_SECONDS * 1000

  let pg: PostgresHandle
  let rabbit: ReturnType<typeof connectRabbit>
  try {
    pg = await waitForService({
      service: "postgres",
      target: describeTarget(config.DATABASE_URL, `embedded under ${config.DATA_DIR}`),
      setting: "DATABASE_URL",
      waitMs,
      log,
      connect: async () => {
        const handle = await connectPostgres({
          url: config.DATABASE_URL,
          dataDir: config.DATA_DIR,
          embeddedPort: config.EMBEDDED_POSTGRES_PORT,
          logger: log,
          max: 8,
          applicationName: "hermes",
        })
        try {
          await handle.sql`select 1`
          return handle
        } catch (error) {
          await handle.close().catch(() => {})
          throw error
        }
      },
    })
    rabbit = await waitForService({
      service: "rabbitmq",
      target: describeTarget(config.RABBITMQ_URL, "RABBITMQ_URL"),
      setting: "RABBITMQ_URL",
      waitMs,
      log,
      connect: async () => {
        let lastError: unknown = null
        const connection = connectRabbit(config.RABBITMQ_URL!, {
          name: "hermes",
          onError: (error) => {
            lastError = error
            if (connection.ready) log.warn("hermes.rabbitmq.error", { error })
          },
        })
        try {
          await connection.onConnect(Math.min(5_000, Math.max(500, waitMs)), true)
          return connection
        } catch (error) {
          await connection.close().catch(() => {})
          throw lastError ?? error
        }
      },
    })
  } catch (error) {
    if (error instanceof ServiceUnavailableError) {
      process.stderr.write(`hermes: ${error.message}\n`)
      return 2
    }
    throw error
  }

  // After the embedded Postgres started: its exit hook must not stop the server under the drain.
  const signals = installShutdownHandlers(log, "hermes")
  const bungie = needsBungie ? createHermesBungie(config, hermesConfig, config.BUNGIE_API_KEY!) : null
  const clickhouse = queues.includes("pgcr_clickhouse")
    ? createClickhouseWriter({ url: config.CLICKHOUSE_URL, dataDir: config.DATA_DIR, database: config.CLICKHOUSE_DATABASE, log })
    : null
  let relays: RelayHost | null = null
  try {
    await runPostgresMigrations(pg.sql, { logger: log })
    const defs = loadDefinitions()
    relays =
      (flags.relays ?? hermesConfig.HERMES_RELAYS)
        ? startRelayHost({
            sql: pg.sql,
            clickhouseUrl: config.CLICKHOUSE_URL,
            clickhouseDatabase: config.CLICKHOUSE_DATABASE,
            dataDir: config.DATA_DIR,
            rabbitmqUrl: config.RABBITMQ_URL,
            log,
          })
        : null
    const hermes = await startHermes({
      connection: rabbit,
      queues,
      createWorker: (queue, publisher, metrics) =>
        createQueueWorker(queue, {
          sql: pg.sql,
          bungie,
          defs,
          publisher,
          log,
          clickhouseInsert: clickhouse ? (rows) => clickhouse.insert(rows) : null,
          onFloodgateRelease: (id) => metrics.floodgatesRecent.set(Number(id)),
        }),
      getSettings: bungie ? () => bungie.getSettings() : null,
      availability: { intervalMs: hermesConfig.HERMES_SETTINGS_INTERVAL_MS },
      onBungieEnabled: () => {
        if (bungie && bungie.limiter.snapshot().pauseReason === "disabled") bungie.limiter.resume()
      },
      relays,
      metricsPort: flags.metricsPort ?? config.HERMES_METRICS_PORT,
      scaleIntervalMs: hermesConfig.HERMES_SCALE_INTERVAL_MS,
      log,
    })
    await signals.requested
    await hermes.stop()
    return 0
  } finally {
    signals.dispose()
    await relays?.close().catch(() => {})
    await clickhouse?.close().catch(() => {})
    bungie?.close()
    await rabbit.close().catch(() => {})
    await pg.close().catch(() => {})
  }
}

process.exit(await main())

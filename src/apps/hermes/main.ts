/**
 * `bun run hermes [--queue NAME ...] [flags]`: the queue-worker app. Waits (bounded by
 * SERVICE_WAIT_SECONDS) for Postgres and RabbitMQ, applies migrations, and runs the runtime with
 * the pipeline workers until a signal: the first SIGINT/SIGTERM stops consuming, finishes what is
 * in flight and exits 0. Bad flags or settings, and a service still unreachable after the wait,
 * are one line naming the setting, exit 2 (runMain).
 */
import { Registry } from "prom-client"
import type { Connection } from "rabbitmq-client"
import { createBungieForApp } from "../../lib/bungie/for-app.ts"
import type { CommandLine } from "../../lib/cli/parse-command-line.ts"
import { runMain } from "../../lib/cli/run-main.ts"
import { UsageError } from "../../lib/cli/usage-error.ts"
import { HERMES_COMMAND } from "../../lib/config/apps.ts"
import { ConfigError } from "../../lib/config/load-config.ts"
import { runPostgresMigrations } from "../../lib/database/migrate/postgres.ts"
import { loadDefinitions } from "../../lib/definitions.ts"
import { isQueueName, QUEUE_NAMES, QUEUES, type QueueName } from "../../lib/messaging/queues.ts"
import { type RelayHost, startRelayHost } from "../../lib/messaging/relay-host.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { startProcessMetrics } from "../../lib/monitoring/process-metrics.ts"
import { checkPortFree } from "../../lib/runtime/check-port-free.ts"
import { postgresService, rabbitmqService } from "../../lib/runtime/services.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { waitForService } from "../../lib/runtime/wait-for-service.ts"
import { createQueueWorker, QUEUES_WITH_WORKERS } from "../../queues/registry.ts"
import { registerSubscriptionMetrics } from "../../queues/subscriptions/subscription-metrics.ts"
import { createClickhouseWriter } from "./clickhouse-writer.ts"
import { startHermes } from "./runtime/hermes.ts"

type HermesCommandLine = CommandLine<typeof HERMES_COMMAND>

/** The queues to consume: --queue and HERMES_QUEUES together, else every queue with a worker. */
export function chooseQueues({ flags, config }: Pick<HermesCommandLine, "flags" | "config">): QueueName[] {
  const named = [...new Set([...flags.queue, ...config.HERMES_QUEUES])]
  for (const name of named) {
    if (!isQueueName(name)) throw new UsageError(`unknown queue ${JSON.stringify(name)} (known: ${QUEUE_NAMES.join(", ")})`)
    if (!QUEUES_WITH_WORKERS.includes(name))
      throw new UsageError(`queue ${name} has no worker in hermes yet (workers: ${QUEUES_WITH_WORKERS.join(", ")})`)
  }
  return named.length > 0 ? (named as QueueName[]) : [...QUEUES_WITH_WORKERS]
}

async function main(cli: HermesCommandLine): Promise<number> {
  const { config, flags } = cli
  const queues = chooseQueues(cli)
  if (!config.RABBITMQ_URL) {
    throw new ConfigError([
      { key: "RABBITMQ_URL", value: "(unset)", reason: "hermes consumes RabbitMQ queues, e.g. amqp://guest:guest@127.0.0.1:5672" },
    ])
  }
  const callsBungie = queues.filter((q) => QUEUES[q].bungieSystems.length > 0)
  if (callsBungie.length > 0 && !config.BUNGIE_API_KEY && !config.ZEUS_URL) {
    throw new ConfigError([
      { key: "BUNGIE_API_KEY", value: "(unset)", reason: `${callsBungie.join(", ")} call Bungie: set it, or ZEUS_URL` },
    ])
  }
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "hermes" } })
  const wait = { waitSeconds: config.SERVICE_WAIT_SECONDS, log }
  const pg = await waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      logger: log,
      max: 8,
      applicationName: "hermes",
    }),
    wait,
  )
  // After the embedded Postgres started: its exit hook must not stop the server under the drain.
  const signals = installShutdownHandlers(log, "hermes")
  let rabbit: Connection | null = null
  let relays: RelayHost | null = null
  let clickhouse: ReturnType<typeof createClickhouseWriter> | null = null
  let bungie: ReturnType<typeof createBungieForApp> | null = null
  try {
    if (config.HERMES_METRICS_PORT !== null) await checkPortFree(config.HERMES_METRICS_PORT)
    rabbit = await waitForService(rabbitmqService({ url: config.RABBITMQ_URL }), wait)
    const connection = rabbit
    connection.on("error", (error) => log.warn("hermes.rabbitmq.error", { error }))
    await runPostgresMigrations(pg.sql, { logger: log })
    const defs = loadDefinitions()
    bungie =
      callsBungie.length > 0
        ? createBungieForApp(config, {
            client: "hermes",
            sourceAddresses: config.HERMES_SOURCE_ADDRESSES,
            limiterOptions: {
              maxConcurrency: config.HERMES_MAX_CONCURRENCY,
              initialConcurrency: Math.min(16, config.HERMES_MAX_CONCURRENCY),
            },
          })
        : null
    clickhouse = queues.includes("pgcr_clickhouse")
      ? createClickhouseWriter({ url: config.CLICKHOUSE_URL, dataDir: config.DATA_DIR, database: config.CLICKHOUSE_DATABASE, log })
      : null
    relays =
      config.HERMES_RELAYS && !flags.noRelays
        ? startRelayHost({
            sql: pg.sql,
            clickhouseUrl: config.CLICKHOUSE_URL,
            clickhouseDatabase: config.CLICKHOUSE_DATABASE,
            dataDir: config.DATA_DIR,
            rabbitmqUrl: config.RABBITMQ_URL,
            log,
          })
        : null
    const client = bungie
    const writer = clickhouse
    // Hermes's registry also carries the delivery stage's series (src/apps/metric-tables.ts).
    const registry = new Registry()
    const subscriptionMetrics = registerSubscriptionMetrics(registry)
    const processMetrics = startProcessMetrics({ registry })
    const hermes = await startHermes({
      connection,
      queues,
      createWorker: (queue, publisher, metrics) =>
        createQueueWorker(queue, {
          sql: pg.sql,
          bungie: client,
          defs,
          publisher,
          log,
          clickhouseInsert: writer ? (rows) => writer.insert(rows) : null,
          onFloodgateRelease: (id) => metrics.floodgatesRecent.set(Number(id)),
          subscriptions: {
            metrics: subscriptionMetrics,
            discordApiUrl: config.HERMES_DISCORD_API_URL,
            deploymentKey: config.HERMES_SUBSCRIPTION_CALLBACK_KEY,
          },
          recrawlMs: config.HERMES_RECRAWL_MINUTES * 60_000,
          clanRefreshMs: config.HERMES_CLAN_REFRESH_DAYS * 86_400_000,
        }),
      getSettings: client ? () => client.getSettings() : null,
      availability: { intervalMs: config.HERMES_SETTINGS_INTERVAL_MS },
      onBungieEnabled: () => {
        if (client?.limiter && client.limiter.snapshot().pauseReason === "disabled") client.limiter.resume()
      },
      relays,
      metricsPort: config.HERMES_METRICS_PORT,
      scaleIntervalMs: config.HERMES_SCALE_INTERVAL_MS,
      log,
      registry,
    })
    await signals.requested
    await hermes.stop()
    processMetrics.stop()
    return 0
  } finally {
    signals.dispose()
    await relays?.close().catch(() => {})
    await clickhouse?.close().catch(() => {})
    bungie?.close()
    await rabbit?.close().catch(() => {})
    await pg.close().catch(() => {})
  }
}

await runMain(HERMES_COMMAND, main)

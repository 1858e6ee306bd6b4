/**
 * `bun run relay`: the outbox relays as a process of their own (ClickHouse, and RabbitMQ when
 * RABBITMQ_URL is set), with the outbox backlog on /metrics. Atlas runs the same relays in its
 * relay thread and hermes hosts them by default; several relays may run at once (rows are claimed
 * with SKIP LOCKED; the ClickHouse relay is exclusive per topic prefix).
 */

import { Registry } from "prom-client"
import type { CommandLine } from "../../lib/cli/parse-command-line.ts"
import { runMain } from "../../lib/cli/run-main.ts"
import { RELAY_COMMAND } from "../../lib/config/apps.ts"
import { startOutboxMonitor } from "../../lib/messaging/outbox-monitor.ts"
import { startRelayHost } from "../../lib/messaging/relay-host.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { serveMetrics } from "../../lib/monitoring/serve-metrics.ts"
import { checkPortFree } from "../../lib/runtime/check-port-free.ts"
import { postgresService } from "../../lib/runtime/services.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { waitForService } from "../../lib/runtime/wait-for-service.ts"

async function main({ config }: CommandLine<typeof RELAY_COMMAND>): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "relay" } })
  const pg = await waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      logger: log,
      max: 4,
      applicationName: "relay",
    }),
    { waitSeconds: config.SERVICE_WAIT_SECONDS, log },
  )
  const signals = installShutdownHandlers(log, "relay")
  try {
    if (config.RELAY_METRICS_PORT !== null) await checkPortFree(config.RELAY_METRICS_PORT)
    const registry = new Registry()
    const monitor = startOutboxMonitor({ sql: pg.sql, registry, log })
    const host = startRelayHost({
      sql: pg.sql,
      clickhouseUrl: config.CLICKHOUSE_URL,
      clickhouseDatabase: config.CLICKHOUSE_DATABASE,
      dataDir: config.DATA_DIR,
      rabbitmqUrl: config.RABBITMQ_URL,
      log,
    })
    let relaying = false
    void host.started.then(() => {
      relaying = true
    })
    const server =
      config.RELAY_METRICS_PORT === null
        ? null
        : serveMetrics({ port: config.RELAY_METRICS_PORT, registry, health: () => ({ ok: relaying, relaying }) })
    if (server) log.info("relay.metrics", { url: `${server.url}/metrics` })
    await signals.requested
    monitor.stop()
    await host.close()
    await server?.stop()
    log.info("relay.stopped", {})
    return 0
  } finally {
    signals.dispose()
    await pg.close().catch(() => {})
  }
}

await runMain(RELAY_COMMAND, main)

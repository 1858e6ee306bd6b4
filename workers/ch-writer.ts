/**
 * ch-writer Worker: opens ClickHouse (CLICKHOUSE_URL, else the embedded engine — which then
 * lives in this thread only), applies its migrations, and runs the outbox relays (ClickHouse,
 * and RabbitMQ when configured). Nothing here can hold up Postgres ingestion.
 */
import { connectClickhouse } from "../src/lib/database/clickhouse.ts"
import { runClickhouseMigrations } from "../src/lib/database/migrate/clickhouse.ts"
import { createSql } from "../src/lib/database/postgres.ts"
import { createLogger, type LogLevel } from "../src/lib/monitoring/logger.ts"
import { startOutboxRelays } from "../src/apps/atlas/outbox-relays.ts"

export interface ChWriterInit {
  type: "init"
  databaseUrl: string
  clickhouseUrl: string | null
  clickhouseDatabase: string
  dataDir: string
  rabbitmqUrl: string | null
  logLevel: LogLevel
}

export type ChWriterToMain = { type: "ready" } | { type: "closed" } | { type: "error"; reason: string }

declare const self: Worker

process.on("SIGINT", () => {})
process.on("SIGTERM", () => {})

const post = (message: ChWriterToMain) => self.postMessage(message)

self.onmessage = async (event: MessageEvent<ChWriterInit>) => {
  if (event.data?.type !== "init") return
  const init = event.data
  const log = createLogger({ level: init.logLevel, fields: { app: "atlas", thread: "ch-writer" } })
  const sql = createSql(init.databaseUrl, { max: 3, applicationName: "atlas-ch-writer" })
  let relays: ReturnType<typeof startOutboxRelays> | null = null
  let closeClickhouse: () => Promise<void> = async () => {}
  self.onmessage = async (control: MessageEvent<{ type: "close" }>) => {
    if (control.data?.type !== "close") return
    await relays?.flushClickhouse().catch(() => 0)
    await relays?.stop()
    await closeClickhouse()
    await sql.end({ timeout: 5 })
    post({ type: "closed" })
  }
  try {
    const ch = await connectClickhouse({ url: init.clickhouseUrl, dataDir: init.dataDir, database: init.clickhouseDatabase })
    closeClickhouse = () => ch.close()
    await runClickhouseMigrations(ch.client, { logger: log })
    relays = startOutboxRelays({ sql, clickhouse: ch.client, rabbitmqUrl: init.rabbitmqUrl, log })
    post({ type: "ready" })
  } catch (error) {
    // ClickHouse unavailable: analytics wait in the outbox; crawling goes on.
    log.error("atlas.ch_writer.start_failed", { error })
    post({ type: "error", reason: String(error) })
  }
}

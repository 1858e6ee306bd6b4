/**
 * ch-writer Worker: opens ClickHouse (CLICKHOUSE_URL, else the embedded engine — which then
 * lives in this thread only), applies its migrations, and runs the outbox relays (ClickHouse,
 * and RabbitMQ when configured). Nothing here can hold up Postgres ingestion.
 */

import { startOutboxRelays } from "../src/apps/atlas/outbox-relays.ts"
import { connectClickhouse } from "../src/lib/database/clickhouse.ts"
import { runClickhouseMigrations } from "../src/lib/database/migrate/clickhouse.ts"
import { createSql } from "../src/lib/database/postgres.ts"
import { createLogger, type LogLevel } from "../src/lib/monitoring/logger.ts"

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
  let closing = false
  self.onmessage = async (control: MessageEvent<{ type: "close" }>) => {
    if (control.data?.type !== "close") return
    closing = true
    await relays?.flushClickhouse().catch(() => 0)
    await relays?.stop()
    await closeClickhouse()
    await sql.end({ timeout: 5 })
    post({ type: "closed" })
  }
  // ClickHouse may be down at start: analytics wait in the outbox and we retry the connection,
  // while the crawl (Postgres) goes on untouched.
  for (let attempt = 1; !closing; attempt++) {
    try {
      const ch = await connectClickhouse({ url: init.clickhouseUrl, dataDir: init.dataDir, database: init.clickhouseDatabase })
      closeClickhouse = () => ch.close()
      await runClickhouseMigrations(ch.client, { logger: log })
      relays = startOutboxRelays({ sql, clickhouse: ch.client, rabbitmqUrl: init.rabbitmqUrl, log })
      post({ type: "ready" })
      return
    } catch (error) {
      log.error("atlas.ch_writer.start_failed", { attempt, error })
      if (attempt === 1) post({ type: "error", reason: String(error) })
      await Bun.sleep(Math.min(60_000, 5_000 * attempt))
    }
  }
}

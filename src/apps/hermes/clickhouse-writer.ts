/**
 * The ClickHouse connection of pgcr_clickhouse, opened on first use and again after a failure:
 * ClickHouse being down at start-up only pauses that queue (its batches go back to RabbitMQ), it
 * never stops hermes. The embedded engine (no CLICKHOUSE_URL) then lives in this process alone.
 */
import { type ClickhouseHandle, connectClickhouse } from "../../lib/database/clickhouse.ts"
import { runClickhouseMigrations } from "../../lib/database/migrate/clickhouse.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"

export interface ClickhouseWriter {
  insert(rows: readonly object[]): Promise<void>
  close(): Promise<void>
}

export function createClickhouseWriter(o: { url: string | null; dataDir: string; database: string; log: Logger }): ClickhouseWriter {
  let opening: Promise<ClickhouseHandle> | null = null
  const open = () => {
    opening ??= (async () => {
      const ch = await connectClickhouse({ url: o.url, dataDir: o.dataDir, database: o.database })
      await runClickhouseMigrations(ch.client, { logger: o.log })
      o.log.info("hermes.clickhouse.connected", { clickhouse: o.url === null ? "embedded" : "server" })
      return ch
    })().catch((error) => {
      opening = null
      throw error
    })
    return opening
  }
  return {
    async insert(rows) {
      const ch = await open()
      await ch.client.insert({ table: "instance", values: rows as object[], format: "JSONEachRow" })
    },
    async close() {
      const ch = await opening?.catch(() => null)
      await ch?.close()
    },
  }
}

/**
 * How tools open the databases: from the shared settings, the way `bun run migrate` does
 * (DATABASE_URL / CLICKHOUSE_URL, else the embedded engines under DATA_DIR), with ONE attempt: a
 * tool fails fast, and an unreachable database is one line naming the setting, exit 2 (runCommand).
 */
import type { ConfigOf } from "../lib/config/sections.ts"
import { type ClickhouseHandle, closeEmbeddedClickhouse } from "../lib/database/clickhouse.ts"
import type { PostgresHandle } from "../lib/database/postgres.ts"
import { createLogger, type Logger } from "../lib/monitoring/logger.ts"
import { clickhouseService, postgresService } from "../lib/runtime/services.ts"
import { waitForService } from "../lib/runtime/wait-for-service.ts"

export type SharedConfig = ConfigOf<"shared">

export function createToolLogger(name: string, config: SharedConfig): Logger {
  return createLogger({ level: config.LOG_LEVEL, fields: { app: name } })
}

export function openToolPostgres(
  name: string,
  config: SharedConfig,
  log: Logger = createToolLogger(name, config),
): Promise<PostgresHandle> {
  return waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      applicationName: `raidhub-${name}`,
      max: 2,
      logger: log,
    }),
    { waitSeconds: 0 },
  )
}

/** Opens ClickHouse; `close()` also shuts the embedded engine down when it was used. */
export async function openToolClickhouse(config: SharedConfig): Promise<ClickhouseHandle> {
  const ch = await waitForService(
    clickhouseService({ url: config.CLICKHOUSE_URL, dataDir: config.DATA_DIR, database: config.CLICKHOUSE_DATABASE }),
    { waitSeconds: 0 },
  )
  return {
    ...ch,
    close: async () => {
      await ch.close()
      if (ch.embedded) await closeEmbeddedClickhouse()
    },
  }
}

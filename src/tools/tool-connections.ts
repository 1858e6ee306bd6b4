/**
 * What the database tools share: splitting argv into config flags and the tool's own arguments
 * (a config error is bad usage: one line, exit 2), and opening Postgres / ClickHouse from the
 * config the way `bun run migrate` does (DATABASE_URL / CLICKHOUSE_URL, else the embedded engines
 * under DATA_DIR).
 */
import { type Config, ConfigError, loadConfigWithArgs } from "../lib/config.ts"
import { type ClickhouseHandle, closeEmbeddedClickhouse, connectClickhouse } from "../lib/database/clickhouse.ts"
import { connectPostgres, type PostgresHandle } from "../lib/database/postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import type { ToolIo } from "./tool.ts"

export type ToolConfig = { ok: true; config: Config; rest: string[] } | { ok: false; exitCode: number }

/** The config and the arguments that are not config flags; on a config error prints one line. */
export function loadToolConfig(name: string, argv: readonly string[], io: ToolIo): ToolConfig {
  try {
    const { config, rest } = loadConfigWithArgs(io.env, argv)
    return { ok: true, config, rest }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    io.err(`${name}: invalid configuration: ${error.issues.map((i) => `${i.key}=${i.value}: ${i.reason}`).join("; ")}`)
    return { ok: false, exitCode: 2 }
  }
}

export async function openToolPostgres(name: string, config: Config): Promise<PostgresHandle> {
  return connectPostgres({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    embeddedPort: config.EMBEDDED_POSTGRES_PORT,
    applicationName: `raidhub-${name}`,
    max: 2,
    logger: createLogger({ level: config.LOG_LEVEL, fields: { app: name } }),
  })
}

/** Opens ClickHouse; `close()` also shuts the embedded engine down when it was used. */
export async function openToolClickhouse(config: Config): Promise<ClickhouseHandle> {
  const ch = await connectClickhouse({ url: config.CLICKHOUSE_URL, dataDir: config.DATA_DIR, database: config.CLICKHOUSE_DATABASE })
  return {
    ...ch,
    close: async () => {
      await ch.close()
      if (ch.embedded) await closeEmbeddedClickhouse()
    },
  }
}

/**
 * ClickHouse migration runner: `clickhouse/migrations/*.sql` then `clickhouse/views/*.sql`,
 * recorded in a `_migrations` table of the client's database with their sha256.
 *
 * A file may hold several statements; they run one by one (the HTTP interface takes one per
 * request). ClickHouse DDL is not transactional, so a file is recorded only after its last
 * statement succeeds, and statements should be idempotent (IF NOT EXISTS) so a re-run after a
 * failure can pass the ones that already took effect. An edited views file (repeatable) is
 * applied again and recorded once more; the newest record of a name is the one that counts.
 */
import type { ClickHouseClient } from "@clickhouse/client"
import { logger as defaultLogger, type Logger } from "../../monitoring/logger.ts"
import { DEFAULT_CLICKHOUSE_DIRS, findPending, listMigrationFiles, type MigrationDir, type MigrationResult } from "./files.ts"
import { splitSqlStatements } from "./split-statements.ts"

export interface ClickhouseMigrateOptions {
  dirs?: readonly MigrationDir[]
  dryRun?: boolean
  logger?: Logger
}

export async function ensureClickhouseMigrationsTable(client: ClickHouseClient): Promise<void> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS _migrations (
      name String,
      checksum String,
      applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY name`,
  })
}

export async function readClickhouseApplied(client: ClickHouseClient): Promise<{ name: string; checksum: string }[]> {
  const rs = await client.query({ query: "SELECT name, checksum FROM _migrations ORDER BY name, applied_at", format: "JSONEachRow" })
  return rs.json<{ name: string; checksum: string }>()
}

/** Applies pending ClickHouse files in the client's database. */
export async function runClickhouseMigrations(client: ClickHouseClient, options: ClickhouseMigrateOptions = {}): Promise<MigrationResult> {
  const log = (options.logger ?? defaultLogger).child({ component: "migrate", target: "clickhouse" })
  const files = listMigrationFiles(options.dirs ?? DEFAULT_CLICKHOUSE_DIRS)
  await ensureClickhouseMigrationsTable(client)
  const pending = findPending(files, await readClickhouseApplied(client))
  const result: MigrationResult = { applied: [], skipped: files.length - pending.length }
  if (options.dryRun) {
    result.applied = pending.map((f) => f.name)
    return result
  }
  for (const file of pending) {
    const started = Date.now()
    const statements = splitSqlStatements(file.content, "clickhouse")
    for (const [index, statement] of statements.entries()) {
      try {
        await client.command({ query: statement })
      } catch (err) {
        throw new Error(
          `clickhouse migration ${file.name} failed at statement ${index + 1}/${statements.length}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        )
      }
    }
    await client.insert({ table: "_migrations", values: [{ name: file.name, checksum: file.checksum }], format: "JSONEachRow" })
    result.applied.push(file.name)
    log.info("migration_applied", { file: file.name, statements: statements.length, ms: Date.now() - started })
  }
  return result
}

/**
 * `bun run migrate [--postgres-only | --clickhouse-only] [--dry-run] [config flags]`
 *
 * Applies Postgres migrations, views and seeds, then ClickHouse migrations and views, against
 * DATABASE_URL / CLICKHOUSE_URL or, when unset, the embedded engines under DATA_DIR.
 * Exit codes: 0 done, 1 a migration failed or was edited after being applied, 2 bad usage/config.
 */
import { type Config, ConfigError, loadConfigWithArgs } from "../lib/config.ts"
import { closeEmbeddedClickhouse, connectClickhouse } from "../lib/database/clickhouse.ts"
import { runClickhouseMigrations } from "../lib/database/migrate/clickhouse.ts"
import { runPostgresMigrations } from "../lib/database/migrate/postgres.ts"
import { connectPostgres } from "../lib/database/postgres.ts"
import { createLogger, type Logger } from "../lib/monitoring/logger.ts"

export const MIGRATE_HELP = `Usage: bun run migrate [options] [config flags]

Applies sql/migrations/*.sql, sql/views/*.sql and the seeds (sql/seeds) to Postgres, then
clickhouse/migrations/*.sql and clickhouse/views/*.sql to ClickHouse. Each file is recorded
with its sha256 (public._migrations, and _migrations in the ClickHouse database); applied files
are skipped, an applied migration that was edited stops the run, and an edited views file
(each drops and recreates its own view) is applied again.

Targets: DATABASE_URL and CLICKHOUSE_URL, or (when unset) the embedded Postgres and chdb under
DATA_DIR (default ./.data). Any config key can be given as a flag, e.g. --database-url=...

Options:
  --postgres-only     only Postgres
  --clickhouse-only   only ClickHouse
  --dry-run           list pending files, change nothing
  --help              show this text
`

export interface MigrateToolOptions {
  postgres: boolean
  clickhouse: boolean
  dryRun: boolean
  help: boolean
}

export class UsageError extends Error {}

/** Splits argv into tool options and config; throws UsageError / ConfigError. */
export function parseMigrateArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { options: MigrateToolOptions; config: Config } {
  const { config, rest } = loadConfigWithArgs(env, argv)
  const options: MigrateToolOptions = { postgres: true, clickhouse: true, dryRun: false, help: false }
  let pgOnly = false
  let chOnly = false
  for (const arg of rest) {
    if (arg === "--postgres-only") pgOnly = true
    else if (arg === "--clickhouse-only") chOnly = true
    else if (arg === "--dry-run") options.dryRun = true
    else if (arg === "--help" || arg === "-h") options.help = true
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`)
  }
  if (pgOnly && chOnly) throw new UsageError("--postgres-only and --clickhouse-only exclude each other")
  if (pgOnly) options.clickhouse = false
  if (chOnly) options.postgres = false
  return { options, config }
}

function report(out: (line: string) => void, target: string, result: { applied: string[]; skipped: number }, dryRun: boolean): void {
  const verb = dryRun ? "pending" : "applied"
  out(`${target}: ${result.applied.length} ${verb}, ${result.skipped} already applied`)
  for (const name of result.applied) out(`  ${verb}: ${name}`)
}

/** Runs the tool; returns the exit code. `out` receives the human-readable summary. */
export async function runMigrateTool(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  errOut: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  let parsed: ReturnType<typeof parseMigrateArgs>
  try {
    parsed = parseMigrateArgs(argv, env)
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      errOut(`migrate: ${err.message}`)
      return 2
    }
    throw err
  }
  const { options, config } = parsed
  if (options.help) {
    out(MIGRATE_HELP)
    return 0
  }
  const log: Logger = createLogger({ level: config.LOG_LEVEL, fields: { app: "migrate" } })
  try {
    if (options.postgres) {
      const pg = await connectPostgres({
        url: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        embeddedPort: config.EMBEDDED_POSTGRES_PORT,
        applicationName: "raidhub-migrate",
        max: 2,
        logger: log,
      })
      try {
        const result = await runPostgresMigrations(pg.sql, { dryRun: options.dryRun, logger: log })
        report(out, `postgres (${pg.embedded ? "embedded" : "DATABASE_URL"})`, result, options.dryRun)
        if (result.seeded) out("  seeds loaded")
      } finally {
        await pg.close()
      }
    }
    if (options.clickhouse) {
      const ch = await connectClickhouse({ url: config.CLICKHOUSE_URL, dataDir: config.DATA_DIR, database: config.CLICKHOUSE_DATABASE })
      try {
        const result = await runClickhouseMigrations(ch.client, { dryRun: options.dryRun, logger: log })
        report(out, `clickhouse (${ch.embedded ? "embedded" : "CLICKHOUSE_URL"}, database ${ch.database})`, result, options.dryRun)
      } finally {
        await ch.close()
        if (ch.embedded) await closeEmbeddedClickhouse()
      }
    }
    return 0
  } catch (err) {
    log.error("migrate_failed", { err })
    errOut(`migrate: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
}

if (import.meta.main) {
  process.exit(await runMigrateTool(process.argv.slice(2)))
}

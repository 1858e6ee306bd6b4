/**
 * `bun run migrate [--postgres-only | --clickhouse-only] [--dry-run] [flags]`
 *
 * Applies Postgres migrations, views and seeds, then ClickHouse migrations and views, against
 * DATABASE_URL / CLICKHOUSE_URL or, when unset, the embedded engines under DATA_DIR.
 * Exit codes: 0 done, 1 a migration failed or was edited after being applied, 2 bad usage,
 * configuration, or an unreachable database (one attempt: tools fail fast).
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand, runMain } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { closeEmbeddedClickhouse } from "../lib/database/clickhouse.ts"
import { runClickhouseMigrations } from "../lib/database/migrate/clickhouse.ts"
import { runPostgresMigrations } from "../lib/database/migrate/postgres.ts"
import { createLogger, type Logger } from "../lib/monitoring/logger.ts"
import { clickhouseService, postgresService } from "../lib/runtime/services.ts"
import { waitForService } from "../lib/runtime/wait-for-service.ts"

const MIGRATE_COMMAND = {
  name: "migrate",
  usage: "bun run migrate [flags]     (same as: bun run tool migrate [flags])",
  summary:
    "Applies sql/migrations/*.sql, sql/views/*.sql and the seeds (sql/seeds) to Postgres, then clickhouse/migrations/*.sql and " +
    "clickhouse/views/*.sql to ClickHouse. Each file is recorded with its sha256 (public._migrations, and _migrations in the " +
    "ClickHouse database); applied files are skipped, an applied migration that was edited stops the run, and an edited " +
    "views file (each drops and recreates its own view) is applied again. Targets: DATABASE_URL " +
    "and CLICKHOUSE_URL, or (when unset) the embedded Postgres and chdb under DATA_DIR.",
  sections: ["shared"],
  flags: {
    postgresOnly: { type: "boolean", default: false, description: "Only Postgres." },
    clickhouseOnly: { type: "boolean", default: false, description: "Only ClickHouse." },
    dryRun: { type: "boolean", default: false, description: "List pending files, change nothing." },
  },
  notes: "Exit codes: 0 done, 1 a file failed or was edited, 2 bad flags, configuration or an unreachable database.",
} as const satisfies CommandSpec

export const MIGRATE_HELP = renderHelp(MIGRATE_COMMAND)

type MigrateCommandLine = CommandLine<typeof MIGRATE_COMMAND>

function report(out: (line: string) => void, target: string, result: { applied: string[]; skipped: number }, dryRun: boolean): void {
  const verb = dryRun ? "pending" : "applied"
  out(`${target}: ${result.applied.length} ${verb}, ${result.skipped} already applied`)
  for (const name of result.applied) out(`  ${verb}: ${name}`)
}

async function migrate(
  { config, flags }: MigrateCommandLine,
  out: (line: string) => void,
  errOut: (line: string) => void,
): Promise<number> {
  if (flags.postgresOnly && flags.clickhouseOnly) throw new UsageError("--postgres-only and --clickhouse-only exclude each other")
  const log: Logger = createLogger({ level: config.LOG_LEVEL, fields: { app: "migrate" } })
  const failed = (err: unknown) => {
    log.error("migrate_failed", { err })
    errOut(`migrate: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  if (!flags.clickhouseOnly) {
    // One attempt: an unreachable database is one line naming DATABASE_URL and exit 2.
    const pg = await waitForService(
      postgresService({
        url: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        embeddedPort: config.EMBEDDED_POSTGRES_PORT,
        applicationName: "raidhub-migrate",
        max: 2,
        logger: log,
      }),
      { waitSeconds: 0 },
    )
    try {
      const result = await runPostgresMigrations(pg.sql, { dryRun: flags.dryRun, logger: log })
      report(out, `postgres (${pg.embedded ? "embedded" : "DATABASE_URL"})`, result, flags.dryRun)
      if (result.seeded) out("  seeds loaded")
    } catch (err) {
      return failed(err)
    } finally {
      await pg.close()
    }
  }
  if (!flags.postgresOnly) {
    const ch = await waitForService(
      clickhouseService({ url: config.CLICKHOUSE_URL, dataDir: config.DATA_DIR, database: config.CLICKHOUSE_DATABASE }),
      { waitSeconds: 0 },
    )
    try {
      const result = await runClickhouseMigrations(ch.client, { dryRun: flags.dryRun, logger: log })
      report(out, `clickhouse (${ch.embedded ? "embedded" : "CLICKHOUSE_URL"}, database ${ch.database})`, result, flags.dryRun)
    } catch (err) {
      return failed(err)
    } finally {
      await ch.close()
      if (ch.embedded) await closeEmbeddedClickhouse()
    }
  }
  return 0
}

/** Runs the tool; returns the exit code. `out` receives the human-readable summary. */
export function runMigrateTool(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  errOut: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  return runCommand(MIGRATE_COMMAND, (cli) => migrate(cli, out, errOut), { argv, env, out, err: errOut })
}

if (import.meta.main) {
  await runMain(MIGRATE_COMMAND, (cli) =>
    migrate(
      cli,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    ),
  )
}

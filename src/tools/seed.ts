/**
 * `bun run tool seed [--dry-run]`: loads the definitions seeds (sql/seeds/*.json) step by step,
 * upserting on each table's key (lib/database/seed.ts); prints per table how many rows changed.
 * `bun run migrate` does the same after the migrations; this is for a seed edited later.
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { DEFAULT_SEEDS_DIR, loadSeeds, type SeedReport } from "../lib/database/seed.ts"
import type { AnySql } from "../lib/database/sql-types.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "seed"

const SEED_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--dir <path>] [--dry-run]`,
  summary:
    "Loads the definitions seeds (activities, versions, hashes, seasons, classes, ...) into Postgres, upserting every row on its key; " +
    "prints how many rows of each table changed. Idempotent.",
  sections: ["shared"],
  flags: {
    dir: { type: "string", default: null, description: "Seeds directory (default sql/seeds)." },
    dryRun: { type: "boolean", default: false, description: "Report what would change, then roll back." },
  },
} as const satisfies CommandSpec

class Rollback extends Error {}

async function main({ config, flags }: CommandLine<typeof SEED_COMMAND>, io: ToolIo): Promise<number> {
  const pg = await openJobPostgres(config, NAME, createLogger({ level: config.LOG_LEVEL }), 1)
  const dir = flags.dir ?? DEFAULT_SEEDS_DIR
  try {
    let report: SeedReport | null = null
    if (flags.dryRun) {
      // loadSeeds runs in a transaction of its own: give it a savepoint of one that is rolled back.
      await pg.sql
        .begin(async (tx) => {
          const inSavepoint = { begin: (fn: (t: unknown) => Promise<unknown>) => tx.savepoint(fn as never) } as unknown as AnySql
          report = await loadSeeds(inSavepoint, dir)
          throw new Rollback()
        })
        .catch((error) => {
          if (!(error instanceof Rollback)) throw error
        })
    } else report = await loadSeeds(pg.sql, dir)
    const r = report as unknown as SeedReport
    for (const t of r.tables) io.out(`${t.file} step ${t.step} ${t.table}: ${t.rows} rows, ${t.changed} changed`)
    io.out(JSON.stringify({ rows: r.totalRows, changed: r.totalChanged, dryRun: flags.dryRun }))
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Load the definitions seeds (sql/seeds) into Postgres; idempotent.",
  usage: renderHelp(SEED_COMMAND),
  run: (argv, io) => runCommand(SEED_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

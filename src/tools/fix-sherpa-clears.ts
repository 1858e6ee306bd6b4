/**
 * `bun run tool fix-sherpa-clears` (bob, by hand): recomputes first clears, sherpas, player_stats
 * and player totals from the stored rows and prints what it changed as JSON (counts and the first
 * differences). Zero on a healthy database. See src/apps/bob/fix-sherpa-clears.ts.
 */

import { fixSherpaClears } from "../apps/bob/fix-sherpa-clears.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "fix-sherpa-clears"

const FIX_SHERPA_CLEARS_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--dry-run] [--batch-size N]`,
  summary:
    "bob: recomputes every player's first clears, sherpas, player_stats and totals (sum of best included) from the stored instances " +
    "and prints the differences it fixed as JSON. On a database our store built it finds none. Runs in batches of players, each one " +
    "transaction under the store lock; --dry-run reports without changing anything.",
  sections: ["shared"],
  flags: {
    batchSize: { type: "int", default: 2_000, min: 1, max: 100_000, description: "Players recomputed per transaction." },
    examples: { type: "int", default: 20, min: 0, max: 10_000, description: "Differences listed in full (all are counted)." },
    dryRun: { type: "boolean", default: false, description: "Compute and report the differences, then roll every batch back." },
  },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof FIX_SHERPA_CLEARS_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "bob" } })
  const pg = await openJobPostgres(config, "bob", log)
  try {
    const report = await fixSherpaClears({
      sql: pg.sql,
      batchSize: flags.batchSize,
      dryRun: flags.dryRun,
      maxExamples: flags.examples,
      progress: (total) => createStderrProgress("players", total, NAME),
    })
    io.out(JSON.stringify(report))
    const { examples: _examples, ...counts } = report
    log.info("bob.summary", counts)
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "bob: recompute first clears, sherpas, player stats and totals; report the differences fixed.",
  usage: renderHelp(FIX_SHERPA_CLEARS_COMMAND),
  run: (argv, io) => runCommand(FIX_SHERPA_CLEARS_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

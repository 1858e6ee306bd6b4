/**
 * `bun run tool activity-history-scan` (pan, weekly in ops/schedule): enqueues to activity_history
 * a random draw of the top players by clears whose history is stale. See src/apps/pan/scan-histories.ts.
 */

import { scanHistories } from "../apps/pan/scan-histories.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "activity-history-scan"

const SCAN_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--count N] [--top N] [--stale-days N] [--dry-run]`,
  summary:
    "pan: draws --count players at random from the top --top players by clears whose activity history was never crawled or not " +
    "for --stale-days days, and puts them on the activity_history queue (outbox rows; the relay publishes them).",
  sections: ["shared"],
  flags: {
    count: { type: "int", default: 2_500, min: 1, max: 1_000_000, description: "Players enqueued per run." },
    top: { type: "int", default: 500_000, min: 1, max: 100_000_000, description: "Players considered, by clears." },
    staleDays: { type: "int", default: 180, min: 0, max: 3_650, description: "A history crawled more recently than this is left alone." },
    dryRun: { type: "boolean", default: false, description: "Print the players that would be enqueued; write nothing." },
  },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof SCAN_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "pan" } })
  const pg = await openJobPostgres(config, "pan", log)
  try {
    const report = await scanHistories({
      sql: pg.sql,
      top: flags.top,
      count: flags.count,
      staleDays: flags.staleDays,
      dryRun: flags.dryRun,
    })
    if (flags.dryRun) for (const id of report.selected) io.out(id)
    io.out(
      JSON.stringify({ eligible: report.eligible, selected: report.selected.length, enqueued: report.enqueued, dryRun: report.dryRun }),
    )
    log.info("pan.summary", { eligible: report.eligible, enqueued: report.enqueued, dryRun: report.dryRun })
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "pan: enqueue activity histories of top players not crawled for 180 days.",
  usage: renderHelp(SCAN_COMMAND),
  run: (argv, io) => runCommand(SCAN_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

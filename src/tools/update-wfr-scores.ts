/**
 * `bun run tool update-wfr-scores`: recomputes core.player.wfr_score from the world-first contest
 * leaderboard (scheduled right after that board's refresh). See lib/database/wfr-score.ts.
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { updateWfrScores } from "../lib/database/wfr-score.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "update-wfr-scores"

const WFR_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--dry-run]`,
  summary:
    "Recomputes every player's world-first score (core.player.wfr_score) from leaderboard.world_first_contest_leaderboard: per raid, " +
    "the best rank r scores 1/sqrt(r) x 1.25^(activity_id - 1), summed. Run it after refreshing that leaderboard.",
  sections: ["shared"],
  flags: { dryRun: { type: "boolean", default: false, description: "Count the scores that would change; write nothing." } },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof WFR_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: NAME } })
  const pg = await openJobPostgres(config, NAME, log)
  try {
    const report = await updateWfrScores(pg.sql, { dryRun: flags.dryRun })
    io.out(JSON.stringify({ ...report, dryRun: flags.dryRun }))
    log.info("wfr.summary", { ...report, dryRun: flags.dryRun })
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Recompute core.player.wfr_score from the world-first contest leaderboard.",
  usage: renderHelp(WFR_COMMAND),
  run: (argv, io) => runCommand(WFR_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

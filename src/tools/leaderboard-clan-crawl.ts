/**
 * `bun run tool leaderboard-clan-crawl` (hera, weekly in ops/schedule): the clans of the
 * leaderboards' top players to clan_crawl, then the clan leaderboard once those have drained.
 * See src/apps/hera/crawl-clans.ts.
 */

import { crawlLeaderboardClans } from "../apps/hera/crawl-clans.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "leaderboard-clan-crawl"

const CLAN_CRAWL_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--top N] [--reqs N] [--dry-run]`,
  summary:
    "hera: finds the clans of every player in the top --top of a global or per-raid leaderboard (Bungie's GetGroupsForMember), puts " +
    "them on the clan_crawl queue (outbox rows), waits until those messages have drained (RabbitMQ depth by passive declare; at most " +
    "--drain-timeout-minutes), then refreshes leaderboard.clan_leaderboard.",
  sections: ["shared"],
  flags: {
    top: { type: "int", default: 1_500, min: 1, max: 1_000_000, description: "Leaderboard places that count (any board)." },
    reqs: { type: "int", default: 14, min: 1, max: 64, description: "Bungie requests in flight at once." },
    drainTimeoutMinutes: {
      type: "int",
      default: 120,
      min: 0,
      max: 1_440,
      description: "Longest wait for the clan_crawl messages to drain.",
    },
    drainPollSeconds: { type: "int", default: 10, min: 1, max: 600, description: "How often the queue depth is read while waiting." },
    dryRun: { type: "boolean", default: false, description: "Look the clans up and print them; enqueue and refresh nothing." },
  },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof CLAN_CRAWL_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "hera" } })
  const pg = await openJobPostgres(config, "hera", log)
  const bungie = createJobBungie(config, { client: "hera", concurrency: flags.reqs })
  try {
    const report = await crawlLeaderboardClans({
      sql: pg.sql,
      bungie,
      top: flags.top,
      concurrency: flags.reqs,
      rabbitmqUrl: config.RABBITMQ_URL,
      drainTimeoutMs: flags.drainTimeoutMinutes * 60_000,
      drainPollMs: flags.drainPollSeconds * 1_000,
      dryRun: flags.dryRun,
      progress: (total) => createStderrProgress("players", total, NAME),
    })
    if (flags.dryRun) for (const clan of report.clans) io.out(clan)
    const { clans, ...rest } = report
    const summary = { ...rest, clans: clans.length }
    io.out(JSON.stringify(summary))
    if (report.drain && !report.drain.drained) log.warn("hera.not_drained", { ...report.drain })
    log.info("hera.summary", summary)
    return 0
  } finally {
    bungie.close()
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "hera: clans of the leaderboards' top players to clan_crawl, then refresh the clan leaderboard.",
  usage: renderHelp(CLAN_CRAWL_COMMAND),
  run: (argv, io) => runCommand(CLAN_CRAWL_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

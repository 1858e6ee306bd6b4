/**
 * `bun run tool activity-history-update <membershipId>... | --file <path> [--run]`: puts the given
 * players on the activity_history queue (outbox rows in one transaction; the relay publishes
 * them), e.g. for a player who reports missing clears; or with --run crawls their raid histories
 * here and enqueues the instances we lack to pgcr_exists (activity-history-crawl.ts).
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import type { ConfigOf } from "../lib/config/sections.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { enqueueIds } from "../lib/jobs/queue-outbox.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { crawlHistories } from "./activity-history-crawl.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "activity-history-update"
const MAX_IDS = 1_000_000

const HISTORY_UPDATE_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <membershipId>... | --file <path>  [--dry-run]`,
  summary:
    "Enqueues the activity history of the given players (membership ids as arguments, or one per line in --file) to the " +
    "activity_history queue, whose worker pages their raid history and fetches the instances we do not have. With --run the " +
    "histories are crawled here (through the shared Bungie client) and the missing instances go to pgcr_exists.",
  sections: ["shared"],
  flags: {
    file: { type: "string", default: null, description: "Read membership ids from this file, one per line (# comments allowed)." },
    run: { type: "boolean", default: false, description: "Crawl the histories here instead of enqueueing the players." },
    concurrency: { type: "int", default: 4, min: 1, max: 64, description: "Players crawled at once, with --run." },
    dryRun: { type: "boolean", default: false, description: "Check the ids (with --run: crawl) and report; write nothing." },
  },
  positionals: { name: "membershipId", description: "A player's membership id (decimal).", max: 10_000 },
} as const satisfies CommandSpec

/** Membership ids from arguments or file text; throws UsageError naming the first bad one. */
export function readMembershipIds(args: readonly string[], fileText: string | null): string[] {
  const raw =
    fileText === null
      ? [...args]
      : fileText
          .split("\n")
          .map((l) => l.replace(/#.*/, "").trim())
          .filter((l) => l !== "")
  if (raw.length === 0) throw new UsageError("give membership ids or --file <path>")
  if (raw.length > MAX_IDS) throw new UsageError(`at most ${MAX_IDS} ids per run, got ${raw.length}`)
  for (const id of raw) if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new UsageError(`not a membership id: ${JSON.stringify(id)}`)
  return [...new Set(raw)]
}

async function main({ config, flags, positionals }: CommandLine<typeof HISTORY_UPDATE_COMMAND>, io: ToolIo): Promise<number> {
  if (flags.file !== null && positionals.length > 0) throw new UsageError("give membership ids or --file, not both")
  let fileText: string | null = null
  if (flags.file !== null) {
    try {
      fileText = await Bun.file(flags.file).text()
    } catch {
      throw new UsageError(`cannot read ${flags.file}`)
    }
  }
  const ids = readMembershipIds(positionals, fileText)
  if (flags.run) return runCrawl(config, ids, flags.concurrency, flags.dryRun, io)
  if (flags.dryRun) {
    io.out(JSON.stringify({ players: ids.length, enqueued: 0, dryRun: true }))
    return 0
  }
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: NAME } })
  const pg = await openJobPostgres(config, NAME, log)
  try {
    const enqueued = await pg.sql.begin((tx) => enqueueIds(tx, "activity_history", ids))
    io.out(JSON.stringify({ players: ids.length, enqueued, dryRun: false }))
    return 0
  } finally {
    await pg.close()
  }
}

async function runCrawl(config: ConfigOf<"shared">, ids: string[], concurrency: number, dryRun: boolean, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: NAME } })
  const pg = await openJobPostgres(config, NAME, log)
  const bungie = createJobBungie(config, { client: NAME, concurrency: concurrency * 2 })
  try {
    const report = await crawlHistories({
      sql: pg.sql,
      bungie,
      membershipIds: ids,
      concurrency,
      dryRun,
      progress: (total) => createStderrProgress("players", total, NAME),
    })
    for (const f of report.failed) io.err(`${NAME}: player ${f.membershipId}: ${f.reason}`)
    const { failed, ...counts } = report
    io.out(JSON.stringify({ ...counts, failed: failed.length }))
    return failed.length === 0 ? 0 : 1
  } finally {
    bungie.close()
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Enqueue the activity history of given players (ids or --file) to activity_history, or crawl it here (--run).",
  usage: renderHelp(HISTORY_UPDATE_COMMAND),
  run: (argv, io) => runCommand(HISTORY_UPDATE_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

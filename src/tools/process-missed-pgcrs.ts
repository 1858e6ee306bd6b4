/**
 * `bun run tool process-missed-pgcrs` (hades, every 15 minutes in ops/schedule): replays the
 * missed-PGCR ledger; see src/apps/hades/replay-missed.ts. Prints one JSON summary line (processed, stored,
 * still missing, the largest contiguous runs of missing ids) and logs it.
 */

import { GapRangeTooLargeError, replayMissed } from "../apps/hades/replay-missed.ts"
import { DEFAULT_REPLAY_POLICY } from "../apps/hades/replay-policy.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "process-missed-pgcrs"

export const PROCESS_MISSED_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--gap] [--dry-run] [flags]`,
  summary:
    "hades: fetches the ids of the missed-PGCR ledger (crawl.missed_pgcr) that are due for retry and stores the raids through the " +
    "crawler's store. Ids Bungie still lacks are retried with a doubling backoff and become terminal (lost) after --max-replays; " +
    "withheld ids (code 12) go to the pgcr_blocked queue. Prints a JSON summary with the largest contiguous runs of missing ids.",
  sections: ["shared"],
  flags: {
    gap: { type: "boolean", default: false, description: "Also try every id around the unresolved gap ranges (crawl.gap_range)." },
    gapMargin: { type: "int", default: 1000, min: 0, max: 100_000, description: "Ids tried on each side of a gap range, with --gap." },
    maxGapIds: {
      type: "int",
      default: 200_000,
      min: 1,
      max: 5_000_000,
      description: "Refuse --gap when the ranges (with margins) hold more ids than this.",
    },
    limit: { type: "int", default: 50_000, min: 1, max: 5_000_000, description: "Most ledger ids replayed in one run (lowest ids first)." },
    batchSize: { type: "int", default: 200, min: 1, max: 5_000, description: "Ids fetched and stored per transaction." },
    concurrency: { type: "int", default: 8, min: 1, max: 64, description: "Bungie requests in flight at once." },
    maxReplays: {
      type: "int",
      default: DEFAULT_REPLAY_POLICY.maxReplays,
      min: 1,
      max: 100,
      description: "Replays of a not-found id before it becomes terminal (lost).",
    },
    maxSeconds: {
      type: "int",
      default: 720,
      min: 0,
      max: 86_400,
      description: "Take no new batch after this many seconds (0 = no limit), so a scheduled run ends before its timeout.",
    },
    dryRun: { type: "boolean", default: false, description: "Count what is due (and the gap ids); fetch and write nothing." },
  },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof PROCESS_MISSED_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "hades" } })
  const pg = await openJobPostgres(config, "hades", log)
  const bungie = flags.dryRun ? null : createJobBungie(config, { client: "hades", concurrency: flags.concurrency })
  try {
    const summary = await replayMissed({
      sql: pg.sql,
      // A dry run fetches nothing; the client is never called.
      bungie: bungie ?? (null as never),
      defs: loadDefinitions(),
      limit: flags.limit,
      batchSize: flags.batchSize,
      concurrency: flags.concurrency,
      gap: flags.gap,
      gapMargin: flags.gapMargin,
      maxGapIds: flags.maxGapIds,
      dryRun: flags.dryRun,
      budgetMs: flags.maxSeconds === 0 ? null : flags.maxSeconds * 1_000,
      policy: { ...DEFAULT_REPLAY_POLICY, maxReplays: flags.maxReplays },
      progress: (total) => createStderrProgress("ids", total, NAME),
    })
    io.out(JSON.stringify({ dryRun: flags.dryRun, ...summary }))
    log.info("hades.summary", { ...summary })
    return 0
  } catch (error) {
    if (error instanceof GapRangeTooLargeError) {
      io.err(`${NAME}: ${error.message}`)
      return 1
    }
    throw error
  } finally {
    bungie?.close()
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "hades: replay the missed-PGCR ledger (ids due for retry; --gap around gap ranges).",
  usage: renderHelp(PROCESS_MISSED_COMMAND),
  run: (argv, io) => runCommand(PROCESS_MISSED_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

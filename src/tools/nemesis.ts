/**
 * `bun run tool nemesis` (scheduled 4× a day in ops/schedule): account-level cheat detection —
 * raise cheat levels from recent flags and profiles, recheck level ≥ 3 players' recent runs on
 * pgcr_cheat_check, cascade-blacklist level-4 players' runs. See src/apps/nemesis/nemesis.ts.
 */
import { runNemesis } from "../apps/nemesis/nemesis.ts"
import { outboxRecheckSink, publisherRecheckSink, RECHECK_QUEUE } from "../apps/nemesis/recheck-sink.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createConfirmedPublisher } from "../lib/messaging/confirmed-publisher.ts"
import { connectRabbit } from "../lib/messaging/rabbit-connection.ts"
import { declareQueueTopology } from "../lib/messaging/topology.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { ServiceUnavailableError } from "../lib/runtime/wait-for-service.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "nemesis"

const NEMESIS_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--reqs N] [--dry-run]`,
  summary:
    "nemesis: grades every player's flags of the last 60 days, reads their Bungie profiles (account signals), raises " +
    "core.player.cheat_level (never lowers it; whitelisted players untouched), puts the recent runs of level ≥ 3 players that have " +
    "no flag at the current check version on pgcr_cheat_check (RabbitMQ with confirms; outbox rows when RABBITMQ_URL is empty), " +
    "and cascade-blacklists the runs of level-4 players seen in the last 14 days. Prints a JSON summary.",
  sections: ["shared"],
  flags: {
    reqs: { type: "int", default: 15, min: 1, max: 64, description: "Bungie profile requests in flight at once." },
    dryRun: { type: "boolean", default: false, description: "Decide everything and print it; write and enqueue nothing." },
  },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof NEMESIS_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "nemesis" } })
  const pg = await openJobPostgres(config, NAME, log)
  const bungie = createJobBungie(config, { client: NAME, concurrency: flags.reqs })
  const rabbit = !flags.dryRun && config.RABBITMQ_URL ? connectRabbit(config.RABBITMQ_URL, { name: NAME, onError: () => {} }) : null
  const publisher = rabbit ? createConfirmedPublisher(rabbit) : null
  try {
    if (rabbit) {
      try {
        await rabbit.onConnect(10_000, true)
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        const address = new URL(config.RABBITMQ_URL!).host
        throw new ServiceUnavailableError(
          "rabbitmq",
          address,
          "RABBITMQ_URL",
          reason,
          `rabbitmq at ${address} unreachable (${reason}): check RABBITMQ_URL`,
        )
      }
      // Mandatory publishing needs the queue; declaring it is idempotent (hermes declares the same).
      await declareQueueTopology(rabbit, RECHECK_QUEUE)
    }
    const report = await runNemesis({
      sql: pg.sql,
      bungie,
      enqueueRecheck: flags.dryRun ? null : publisher ? publisherRecheckSink(publisher) : outboxRecheckSink(pg.sql),
      dryRun: flags.dryRun,
      concurrency: flags.reqs,
      progress: (unit, total) => createStderrProgress(unit, total, NAME),
      log,
    })
    if (flags.dryRun) {
      for (const r of report.raised)
        io.out(JSON.stringify({ raise: r.membershipId, from: r.from, to: r.to, accountChance: r.accountChance, flags: r.counts }))
      for (const id of report.cascade.blacklisted) io.out(JSON.stringify({ cascadeBlacklist: id }))
    }
    const summary = {
      dryRun: report.dryRun,
      reviewed: report.reviewed,
      profileFailures: report.profileFailures,
      raised: report.raised.length,
      raisedTo: countBy(report.raised.map((r) => r.to)),
      recheck: report.recheck,
      cascade: { sources: report.cascade.sources, blacklisted: report.cascade.blacklisted.length },
    }
    io.out(JSON.stringify(summary))
    log.info("nemesis.summary", summary)
    return 0
  } finally {
    await publisher?.close().catch(() => {})
    await rabbit?.close().catch(() => {})
    bungie.close()
    await pg.close()
  }
}

function countBy(levels: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const l of levels) out[l] = (out[l] ?? 0) + 1
  return out
}

export const tool: Tool = {
  name: NAME,
  description: "nemesis: raise cheat levels from recent flags and profiles, recheck level-3+ players' runs, cascade level-4 blacklists.",
  usage: renderHelp(NEMESIS_COMMAND),
  run: (argv, io) => runCommand(NEMESIS_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

/**
 * `bun run tool clear-player <membershipId> [--keep-level] [--whitelist] [--dry-run]`: clears a
 * wrongly judged player: their flags, the cascade blacklists their level caused, their rows on
 * other blacklists, and their level (back to 0 unless --keep-level). See src/apps/nemesis/clear.ts.
 */
import { clearPlayer } from "../apps/nemesis/clear.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "clear-player"

const CLEAR_PLAYER_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <membershipId> [--keep-level] [--whitelist] [--dry-run]`,
  summary:
    "Deletes a player's cheat flags (every version), the BlacklistedPlayerCascade blacklists their level caused, and their rows on " +
    "the blacklists that stay; sets core.player.cheat_level back to 0 unless --keep-level; --whitelist also whitelists them " +
    "(their runs are then never blacklisted automatically and the job leaves their level alone).",
  sections: ["shared"],
  flags: {
    keepLevel: { type: "boolean", default: false, description: "Leave cheat_level as it is." },
    whitelist: { type: "boolean", default: false, description: "Set core.player.is_whitelisted." },
    dryRun: { type: "boolean", default: false, description: "Count what would change; change nothing." },
  },
  positionals: { name: "membershipId", description: "The player's membership id (decimal).", max: 1 },
} as const satisfies CommandSpec

async function main({ config, flags, positionals }: CommandLine<typeof CLEAR_PLAYER_COMMAND>, io: ToolIo): Promise<number> {
  const id = positionals[0]
  if (id === undefined) throw new UsageError("give a membership id")
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new UsageError(`not a membership id: ${JSON.stringify(id)}`)
  const pg = await openJobPostgres(config, NAME, createLogger({ level: config.LOG_LEVEL }), 1)
  try {
    const report = await clearPlayer(pg.sql, {
      membershipId: BigInt(id),
      keepLevel: flags.keepLevel,
      whitelist: flags.whitelist,
      dryRun: flags.dryRun,
    })
    if (!report.found) {
      io.err(`${NAME}: player ${id} is not stored`)
      return 1
    }
    if (flags.dryRun) for (const instance of report.cascadesRemoved) io.out(instance)
    io.out(JSON.stringify({ ...report, cascadesRemoved: report.cascadesRemoved.length }))
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Clear a player's cheat flags, the cascade blacklists they caused and their level (--whitelist, --dry-run).",
  usage: renderHelp(CLEAR_PLAYER_COMMAND),
  run: (argv, io) => runCommand(CLEAR_PLAYER_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

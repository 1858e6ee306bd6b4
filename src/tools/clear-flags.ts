/**
 * `bun run tool clear-flags --bits <mask> --since <date> [--until <date>] [--version v] [--dry-run]`:
 * deletes the cheat flags carrying every bit of the mask flagged in the range, and the CheatCheck
 * blacklists they caused. For a systematic false positive, after the rule is fixed (a new
 * CHEAT_CHECK_VERSION re-checks the runs). See src/apps/nemesis/clear.ts.
 */
import { clearFlags } from "../apps/nemesis/clear.ts"
import { nameBits, parseBitMask } from "../lib/cheat/bits.ts"
import { CHEAT_CHECK_VERSION } from "../lib/cheat/reporting.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "clear-flags"

const CLEAR_FLAGS_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} --bits <mask> --since <date> [--until <date>] [--version <v>] [--dry-run]`,
  summary:
    "Deletes the cheat flags (instance and player) that carry every bit of --bits and were flagged from --since (until --until), " +
    "and removes the CheatCheck blacklists they caused (unless another flag of the run is still ≥ 0.95). Blacklists made by " +
    "people and cascades stay. Without --version, flags of the current check version are left alone.",
  sections: ["shared"],
  flags: {
    bits: { type: "string", default: null, description: "The mask: a decimal number or bit names, e.g. TooFast,VaultOfGlass." },
    since: { type: "string", default: null, description: "Earliest flagged_at (ISO date or timestamp, UTC)." },
    until: { type: "string", default: null, description: "flagged_at before this (ISO date or timestamp, UTC)." },
    version: { type: "string", default: null, description: "Only flags of this cheat-check version (the current one included)." },
    dryRun: { type: "boolean", default: false, description: "Count and list what would be deleted; delete nothing." },
  },
} as const satisfies CommandSpec

function parseDate(flag: string, text: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${flag}: not a date: ${JSON.stringify(text)}`)
  return date
}

async function main({ config, flags }: CommandLine<typeof CLEAR_FLAGS_COMMAND>, io: ToolIo): Promise<number> {
  if (flags.bits === null) throw new UsageError("--bits is required (a decimal mask or bit names)")
  const mask = parseBitMask(flags.bits)
  if (mask === null || mask === 0n) throw new UsageError(`--bits: not a mask of known bits: ${JSON.stringify(flags.bits)}`)
  if (flags.since === null) throw new UsageError("--since is required")
  const since = parseDate("since", flags.since)
  const until = flags.until === null ? null : parseDate("until", flags.until)
  const pg = await openJobPostgres(config, NAME, createLogger({ level: config.LOG_LEVEL }), 1)
  try {
    const report = await clearFlags(pg.sql, {
      mask,
      since,
      until,
      version: flags.version,
      exceptVersion: flags.version === null ? CHEAT_CHECK_VERSION : null,
      dryRun: flags.dryRun,
    })
    if (flags.dryRun) for (const id of report.instances) io.out(id)
    io.out(
      JSON.stringify({
        dryRun: report.dryRun,
        bits: nameBits(mask),
        instanceFlags: report.instanceFlags,
        playerFlags: report.playerFlags,
        instances: report.instances.length,
        blacklistsRemoved: report.blacklistsRemoved.length,
      }),
    )
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Delete cheat flags by bitmask and date, and the CheatCheck blacklists they caused (--dry-run to count).",
  usage: renderHelp(CLEAR_FLAGS_COMMAND),
  run: (argv, io) => runCommand(CLEAR_FLAGS_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

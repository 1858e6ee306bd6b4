/**
 * `bun run tool process-single-pgcr <instanceId> | --file <path> [--dry-run] [flags]`
 *
 * Processes one PGCR exactly as the crawler does (same decoder, same `processPgcr`, same
 * definitions) and stores it with the crawler's batched instance store, or with `--dry-run` prints
 * the ProcessedInstance as JSON on stdout (ids as strings) and stores nothing.
 *
 * Outcomes and exit codes:
 * - raid (incl. Pantheon): dry run prints the instance JSON, else stores it; exit 0.
 * - non-raid: prints one JSON line `{"kind":"nonRaid",...}` (also for an unknown raid-mode hash,
 *   with `"unknownRaidHash":true`); nothing to store; exit 0: the PGCR is fine, just not ours.
 * - bad PGCR, unreadable file, Bungie error: the reason on stderr, exit 1.
 * - bad usage, a bad setting, an unreachable database: one line, exit 2.
 */

import { decodeJsonBytes } from "../lib/bungie/json.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { unwrapPgcrEnvelope } from "../lib/pgcr/envelope.ts"
import { processPgcr } from "../lib/pgcr/process.ts"
import type { ProcessResult, RaidResult } from "../lib/pgcr/result.ts"
import { summarizeResult } from "../lib/pgcr/summarize.ts"
import { fetchPgcrBytes } from "./fetch-pgcr.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "process-single-pgcr"

const PROCESS_SINGLE_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <instanceId> | --file <path>  [--dry-run] [flags]`,
  summary:
    "Fetches PGCR <instanceId> from Bungie (BUNGIE_BASE_URL, BUNGIE_API_KEY), or reads --file (the Bungie envelope or the bare " +
    "Response; Bungie's 1.0 literals or JavaScript's, either works), processes it with the crawler's rules, and stores it in " +
    "Postgres (DATABASE_URL, else the embedded server under DATA_DIR; run `bun run migrate` first).",
  sections: ["shared"],
  flags: {
    file: { type: "string", default: null, description: "Read the PGCR from this file instead of fetching it." },
    dryRun: { type: "boolean", default: false, description: "Store nothing; print the processed instance as JSON on stdout." },
  },
  positionals: { name: "instanceId", description: "The PGCR's instance id (decimal), when not reading --file.", max: 1 },
  notes:
    'A non-raid PGCR prints one line {"kind":"nonRaid",...} and exits 0. A bad PGCR prints the reason on stderr and exits 1.\n' +
    "Bad usage, a bad setting or an unreachable database exits 2.",
} as const satisfies CommandSpec

const USAGE = renderHelp(PROCESS_SINGLE_COMMAND)

type ProcessSingleCommandLine = CommandLine<typeof PROCESS_SINGLE_COMMAND>

interface ProcessSingleArgs {
  instanceId: string | undefined
  file: string | undefined
  dryRun: boolean
}

/** The tool's arguments from its parsed command line; throws UsageError. */
function readProcessSingleArgs({ flags, positionals }: ProcessSingleCommandLine): ProcessSingleArgs {
  const instanceId = positionals[0]
  if (instanceId !== undefined && !/^[1-9][0-9]{0,18}$/.test(instanceId)) {
    throw new UsageError(`not an instance id: ${JSON.stringify(instanceId)}`)
  }
  if (flags.file === "") throw new UsageError("--file needs a path")
  if ((instanceId === undefined) === (flags.file === null)) throw new UsageError("give either an instance id or --file <path>")
  return { instanceId, file: flags.file ?? undefined, dryRun: flags.dryRun }
}

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(PROCESS_SINGLE_COMMAND, (cli) => processSingle(cli, io), toCommandIo(argv, io))
}

async function processSingle(cli: ProcessSingleCommandLine, io: ToolIo): Promise<number> {
  const args = readProcessSingleArgs(cli)
  const source = args.file ?? `instance ${args.instanceId}`

  const bytes = args.file !== undefined ? await readFileBytes(args.file, io) : await fetchPgcrBytes(args.instanceId!, cli.config, io)
  if (bytes === undefined) return 1

  const decoded = decodeJsonBytes(bytes)
  if (!decoded.ok) {
    io.err(`${NAME}: ${source}: not JSON: ${decoded.reason}`)
    return 1
  }
  const unwrapped = unwrapPgcrEnvelope(decoded.value)
  if (unwrapped.kind === "error") {
    io.err(`${NAME}: ${source}: ${unwrapped.reason}`)
    return 1
  }

  const result: ProcessResult = processPgcr(unwrapped.body, loadDefinitions())
  const gotId = result.kind === "raid" ? result.instance.instanceId : result.instanceId
  if (args.instanceId !== undefined && gotId !== undefined && gotId !== args.instanceId) {
    // Bungie has been seen serving a different activity under an id (bungie.md §9): never store it.
    io.err(`${NAME}: asked for instance ${args.instanceId} but the PGCR is instance ${gotId}`)
    return 1
  }
  switch (result.kind) {
    case "badFormat":
      io.err(`${NAME}: ${source}: bad PGCR: ${result.reason}`)
      return 1
    case "nonRaid":
      io.out(JSON.stringify(result))
      return 0
    case "raid":
      if (args.dryRun) return printRaid(result, io)
      // Loaded only when storing: the database modules are heavy and a dry run must not need them.
      return (await import("./store-pgcr.ts")).storeProcessedPgcr(result, bytes, cli.config, io)
  }
}

function printRaid(result: RaidResult, io: ToolIo): number {
  io.out(JSON.stringify(result.instance, null, 2))
  io.err(`${NAME}: ${JSON.stringify(summarizeResult(result))}`)
  return 0
}

async function readFileBytes(path: string, io: ToolIo): Promise<Uint8Array | undefined> {
  try {
    return await Bun.file(path).bytes()
  } catch (error) {
    io.err(`${NAME}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Fetch or read one PGCR, process it, and store it (or print it with --dry-run).",
  usage: USAGE,
  run,
}

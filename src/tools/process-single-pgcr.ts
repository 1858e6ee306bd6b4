/**
 * `bun run tool process-single-pgcr <instanceId> | --file <path> [--dry-run] [config flags]`
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
 * - bad usage: exit 2.
 */
import { decodeJsonBytes } from "../lib/bungie/json.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { unwrapPgcrEnvelope } from "../lib/pgcr/envelope.ts"
import { processPgcr } from "../lib/pgcr/process.ts"
import type { ProcessResult, RaidResult } from "../lib/pgcr/result.ts"
import { summarizeResult } from "../lib/pgcr/summarize.ts"
import { fetchPgcrBytes } from "./fetch-pgcr.ts"
import type { Tool, ToolIo } from "./tool.ts"

const NAME = "process-single-pgcr"

const USAGE = `Usage:
  bun run tool ${NAME} <instanceId> [--dry-run] [config flags]
  bun run tool ${NAME} --file <path> [--dry-run] [config flags]

Fetches PGCR <instanceId> from Bungie (BUNGIE_BASE_URL, BUNGIE_API_KEY), or reads <path> (the
Bungie envelope or the bare Response; Bungie's 1.0 literals or JavaScript's, either works),
processes it with the crawler's rules, and stores it in Postgres (DATABASE_URL, else the
embedded server under DATA_DIR; run \`bun run migrate\` first).

  --dry-run   store nothing; print the processed instance as JSON on stdout
  --help      this text

A non-raid PGCR prints one line {"kind":"nonRaid",...} and exits 0. A bad PGCR prints the
reason on stderr and exits 1. Bad usage exits 2.`

export interface ProcessSingleArgs {
  instanceId: string | undefined
  file: string | undefined
  dryRun: boolean
  /** Arguments for the config loader (e.g. --database-url=...). */
  configArgs: string[]
}

export class UsageError extends Error {}

export function parseProcessSingleArgs(argv: readonly string[]): ProcessSingleArgs {
  const args: ProcessSingleArgs = { instanceId: undefined, file: undefined, dryRun: false, configArgs: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--dry-run") args.dryRun = true
    else if (arg === "--file") {
      const path = argv[++i]
      if (path === undefined || path === "") throw new UsageError("--file needs a path")
      args.file = path
    } else if (arg.startsWith("--file=")) args.file = arg.slice("--file=".length)
    else if (arg.startsWith("-")) args.configArgs.push(arg)
    else if (/^[1-9][0-9]{0,18}$/.test(arg)) {
      if (args.instanceId !== undefined) throw new UsageError("give one instance id")
      args.instanceId = arg
    } else throw new UsageError(`not an instance id: ${JSON.stringify(arg)}`)
  }
  if ((args.instanceId === undefined) === (args.file === undefined)) {
    throw new UsageError("give either an instance id or --file <path>")
  }
  return args
}

async function run(argv: readonly string[], io: ToolIo): Promise<number> {
  let args: ProcessSingleArgs
  try {
    args = parseProcessSingleArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(`${NAME}: ${error.message}`)
    io.err(USAGE)
    return 2
  }
  const source = args.file ?? `instance ${args.instanceId}`

  const bytes = args.file !== undefined ? await readFileBytes(args.file, io) : await fetchPgcrBytes(args.instanceId!, args.configArgs, io)
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
      return (await import("./store-pgcr.ts")).storeProcessedPgcr(result, bytes, args.configArgs, io)
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

/**
 * `bun run tool convert-raw-pgcr [--batch N] [--after ID] [--dry-run] [config flags]`
 *
 * Converts raw.pgcr rows from our first format (zstd of the whole envelope) to the public API's
 * (gzip of the Response object's JSON bytes), batch by batch in instance-id order; see
 * src/lib/database/convert-raw-pgcr.ts. Safe to interrupt and run again. Exit codes: 0 done,
 * 1 some rows could not be converted (listed) or the database failed, 2 bad usage.
 */
import { convertRawPgcrBatch } from "../lib/database/convert-raw-pgcr.ts"
import type { Tool, ToolIo } from "./tool.ts"
import { loadToolConfig, openToolPostgres } from "./tool-connections.ts"

const NAME = "convert-raw-pgcr"
const DEFAULT_BATCH = 500
const MAX_BATCH = 10_000
// Failed ids listed individually; past this only counted, so the output stays bounded.
const MAX_LISTED_FAILURES = 100

const USAGE = `Usage: bun run tool ${NAME} [--batch N] [--after ID] [--dry-run] [config flags]

Rewrites raw.pgcr rows stored as zstd (this system's format before the public-API-compatible
one) into gzip of the JSON bytes of Bungie's Response object, which the API's /pgcr/:id serves.
Rows already gzip or plain are left as they are. Run it once after upgrading a database that
was filled before migration 0111; until then /pgcr/:id fails for the old rows. The crawler may keep running: each batch is its own transaction, and a row replaced
meanwhile is skipped.

  --batch N    rows read per batch, 1..${MAX_BATCH} (default ${DEFAULT_BATCH})
  --after ID   start after this instance id (resume from a printed "last" id; default: start)
  --dry-run    convert in memory, write nothing, report what would change
  --help       this text

Prints one line per batch and a summary. Interrupted? Run it again (converted rows are skipped)
or pass --after with the last id printed. Afterwards VACUUM raw.pgcr (or let autovacuum) to
reuse the space of the old row versions.`

export class UsageError extends Error {}

export interface ConvertArgs {
  batch: number
  after: bigint
  dryRun: boolean
}

export function parseConvertArgs(rest: readonly string[]): ConvertArgs {
  const args: ConvertArgs = { batch: DEFAULT_BATCH, after: 0n, dryRun: false }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined]
    const value = () => {
      const v = inline ?? rest[++i]
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`)
      return v
    }
    if (flag === "--dry-run" && inline === undefined) args.dryRun = true
    else if (flag === "--batch") {
      const v = value()
      const n = /^\d+$/.test(v) ? Number(v) : Number.NaN
      if (!(n >= 1 && n <= MAX_BATCH)) throw new UsageError(`--batch must be 1..${MAX_BATCH}, got ${JSON.stringify(v)}`)
      args.batch = n
    } else if (flag === "--after") {
      const v = value()
      if (!/^\d{1,19}$/.test(v) || BigInt(v) > 9223372036854775807n)
        throw new UsageError(`--after must be an instance id, got ${JSON.stringify(v)}`)
      args.after = BigInt(v)
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`)
  }
  return args
}

function megabytes(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1)
}

async function run(argv: readonly string[], io: ToolIo): Promise<number> {
  const loaded = loadToolConfig(NAME, argv, io)
  if (!loaded.ok) return loaded.exitCode
  let args: ConvertArgs
  try {
    args = parseConvertArgs(loaded.rest)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(`${NAME}: ${error.message}`)
    return 2
  }
  let pg: Awaited<ReturnType<typeof openToolPostgres>>
  try {
    pg = await openToolPostgres(NAME, loaded.config)
  } catch (error) {
    io.err(`${NAME}: cannot open Postgres: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  const verb = args.dryRun ? "would convert" : "converted"
  const totals = { scanned: 0, converted: 0, failed: 0, bytesBefore: 0, bytesAfter: 0, batches: 0 }
  let after = args.after
  try {
    for (;;) {
      const batch = await convertRawPgcrBatch(pg.sql, { after, limit: args.batch, dryRun: args.dryRun })
      if (batch.scanned === 0) break
      totals.batches++
      totals.scanned += batch.scanned
      totals.converted += batch.converted
      totals.bytesBefore += batch.bytesBefore
      totals.bytesAfter += batch.bytesAfter
      for (const failure of batch.failed) {
        if (totals.failed++ < MAX_LISTED_FAILURES) io.err(`${NAME}: instance ${failure.instanceId} not converted: ${failure.reason}`)
      }
      io.out(
        `batch ${totals.batches}: scanned ${batch.scanned}, ${verb} ${batch.converted}, failed ${batch.failed.length}, last ${batch.lastId}`,
      )
      after = batch.lastId
    }
  } catch (error) {
    io.err(
      `${NAME}: stopped after instance ${after}: ${error instanceof Error ? error.message : String(error)} (run again with --after ${after})`,
    )
    return 1
  } finally {
    await pg.close()
  }
  io.out(
    `done: scanned ${totals.scanned}, ${verb} ${totals.converted} (${megabytes(totals.bytesBefore)} MB zstd -> ${megabytes(totals.bytesAfter)} MB gzip), failed ${totals.failed}`,
  )
  return totals.failed > 0 ? 1 : 0
}

export const tool: Tool = {
  name: NAME,
  description: "Convert raw.pgcr rows stored as zstd into the gzip Response JSON the public API reads (resumable batches).",
  usage: USAGE,
  run,
}

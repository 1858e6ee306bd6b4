/**
 * `bun run tool convert-raw-pgcr [--batch N] [--after ID] [--dry-run] [flags]`
 *
 * Converts raw.pgcr rows from our first format (zstd of the whole envelope) to the public API's
 * (gzip of the Response object's JSON bytes), batch by batch in instance-id order; see
 * src/lib/database/convert-raw-pgcr.ts. Safe to interrupt and run again. Exit codes: 0 done,
 * 1 some rows could not be converted (listed) or the database failed, 2 bad usage or an unreachable
 * database.
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { convertRawPgcrBatch } from "../lib/database/convert-raw-pgcr.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"
import { openToolPostgres } from "./tool-connections.ts"

const NAME = "convert-raw-pgcr"
const DEFAULT_BATCH = 500
const MAX_BATCH = 10_000
// Failed ids listed individually; past this only counted, so the output stays bounded.
const MAX_LISTED_FAILURES = 100

const CONVERT_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--batch N] [--after ID] [--dry-run] [flags]`,
  summary:
    "Rewrites raw.pgcr rows stored as zstd (this system's format before the public-API-compatible one) into gzip of the JSON " +
    "bytes of Bungie's Response object, which the API's /pgcr/:id serves. Rows already gzip or plain are left as they are. Run " +
    "it once after upgrading a database that was filled before migration 0111; until then /pgcr/:id fails for the old rows. The " +
    "crawler may keep running: each batch is its own transaction, and a row replaced meanwhile is skipped.",
  sections: ["shared"],
  flags: {
    batch: { type: "int", default: DEFAULT_BATCH, min: 1, max: MAX_BATCH, description: "Rows read per batch." },
    after: {
      type: "id",
      default: null,
      description: 'Start after this instance id (resume from a printed "last" id; default: the start).',
    },
    dryRun: { type: "boolean", default: false, description: "Convert in memory, write nothing, report what would change." },
  },
  notes:
    "Prints one line per batch and a summary. Interrupted? Run it again (converted rows are skipped) or pass --after with the last id " +
    "printed. Afterwards VACUUM raw.pgcr (or let autovacuum) to reuse the space of the old row versions.",
} as const satisfies CommandSpec

function megabytes(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1)
}

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(CONVERT_COMMAND, (cli) => convert(cli, io), toCommandIo(argv, io))
}

async function convert({ config, flags }: CommandLine<typeof CONVERT_COMMAND>, io: ToolIo): Promise<number> {
  const args = { batch: flags.batch, after: flags.after ?? 0n, dryRun: flags.dryRun }
  const pg = await openToolPostgres(NAME, config)
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
  usage: renderHelp(CONVERT_COMMAND),
  run,
}

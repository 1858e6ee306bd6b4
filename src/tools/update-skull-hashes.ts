/**
 * `bun run tool update-skull-hashes <activityHash> [--from <id>] [--to <id>]`: back-fills
 * core.instance.skull_hashes from the stored raw PGCRs (selectedSkullHashes, deduplicated, zeros
 * dropped) for the instances of an activity hash in an id range, e.g. rows stored before the
 * processor read the field. Only rows whose skulls differ are written; keyset batches, one
 * transaction each, with a progress bar. --dry-run counts.
 */
import { decodeJsonBytes } from "../lib/bungie/json.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { createStderrProgress, type Progress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import type { Sql } from "../lib/database/postgres.ts"
import { decodeRawPgcr } from "../lib/database/raw-pgcr-codec.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { unwrapPgcrEnvelope } from "../lib/pgcr/envelope.ts"
import { normalizeSkullHashes } from "../lib/pgcr/skulls.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "update-skull-hashes"

const SKULLS_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <activityHash> [--from <id>] [--to <id>] [--dry-run]`,
  summary:
    "Back-fills core.instance.skull_hashes from the raw PGCRs (selectedSkullHashes) of an activity hash's instances in an id range " +
    "(inclusive; default all). Rows whose skulls already match are left alone.",
  sections: ["shared"],
  flags: {
    from: { type: "id", default: null, description: "Lowest instance id (inclusive)." },
    to: { type: "id", default: null, description: "Highest instance id (inclusive)." },
    batchSize: { type: "int", default: 1_000, min: 1, max: 50_000, description: "Instances read and written per transaction." },
    dryRun: { type: "boolean", default: false, description: "Count the rows that would change; write nothing." },
  },
  positionals: { name: "activityHash", description: "The activity (version) hash.", max: 1 },
} as const satisfies CommandSpec

export interface SkullReport {
  scanned: number
  changed: number
  /** Raw PGCRs that could not be read (not JSON, no body, bad skull list). */
  unreadable: number
  dryRun: boolean
}

export async function updateSkullHashes(o: {
  sql: Sql
  hash: string
  from: bigint | null
  to: bigint | null
  batchSize: number
  dryRun: boolean
  progress?: (total: number) => Progress
}): Promise<SkullReport> {
  const from = (o.from ?? 0n).toString()
  const to = (o.to ?? 9_223_372_036_854_775_807n).toString()
  const [{ total } = { total: 0 }] = await o.sql<{ total: number }[]>`
    select count(*)::int as total from core.instance where hash = ${o.hash}::bigint and instance_id between ${from}::bigint and ${to}::bigint`
  const progress = o.progress?.(total)
  const report: SkullReport = { scanned: 0, changed: 0, unreadable: 0, dryRun: o.dryRun }
  let after = (BigInt(from) - 1n).toString()
  for (;;) {
    const rows = await o.sql<{ id: string; skulls: string[]; data: Uint8Array }[]>`
      select i.instance_id::text as id, i.skull_hashes::text[] as skulls, r.data
      from core.instance i join raw.pgcr r using (instance_id)
      where i.hash = ${o.hash}::bigint and i.instance_id > ${after}::bigint and i.instance_id <= ${to}::bigint
      order by i.instance_id limit ${o.batchSize}`
    if (rows.length === 0) break
    after = rows.at(-1)!.id
    const ids: string[] = []
    const skulls: string[] = []
    for (const row of rows) {
      const wanted = readSkulls(row.data)
      if (wanted === null) {
        report.unreadable++
        continue
      }
      if (wanted.join(",") !== row.skulls.join(",")) {
        ids.push(row.id)
        skulls.push(`{${wanted.join(",")}}`)
      }
    }
    report.scanned += rows.length
    report.changed += ids.length
    if (!o.dryRun && ids.length > 0) {
      await o.sql`
        update core.instance i set skull_hashes = u.skulls::bigint[]
        from unnest(${ids}::bigint[], ${skulls}::text[]) as u(id, skulls)
        where i.instance_id = u.id`
    }
    progress?.advance(rows.length)
  }
  progress?.finish()
  return report
}

/** The normalized skulls of a stored raw PGCR (envelope or bare Response), or null when unreadable. */
export function readSkulls(stored: Uint8Array): number[] | null {
  const decoded = decodeJsonBytes(decodeRawPgcr(stored))
  if (!decoded.ok) return null
  const body = unwrapPgcrEnvelope(decoded.value)
  if (body.kind !== "ok" || typeof body.body !== "object" || body.body === null) return null
  try {
    return normalizeSkullHashes((body.body as Record<string, unknown>).selectedSkullHashes)
  } catch {
    return null
  }
}

async function main({ config, flags, positionals }: CommandLine<typeof SKULLS_COMMAND>, io: ToolIo): Promise<number> {
  const hash = positionals[0]
  if (hash === undefined) throw new UsageError("give the activity hash")
  if (!/^[1-9][0-9]{0,9}$/.test(hash) || Number(hash) > 4_294_967_295) throw new UsageError(`not an activity hash: ${JSON.stringify(hash)}`)
  if (flags.from !== null && flags.to !== null && flags.from > flags.to) throw new UsageError("--from is above --to")
  const pg = await openJobPostgres(config, NAME, createLogger({ level: config.LOG_LEVEL }))
  try {
    const report = await updateSkullHashes({
      sql: pg.sql,
      hash,
      from: flags.from,
      to: flags.to,
      batchSize: flags.batchSize,
      dryRun: flags.dryRun,
      progress: (total) => createStderrProgress("instances", total, NAME),
    })
    io.out(JSON.stringify(report))
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Back-fill core.instance.skull_hashes from raw PGCRs for an activity hash and id range.",
  usage: renderHelp(SKULLS_COMMAND),
  run: (argv, io) => runCommand(SKULLS_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

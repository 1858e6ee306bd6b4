/**
 * `bun run tool flag-restricted-pgcrs <activityHash>`: Bungie withholds some PGCRs for good (a
 * contest's, e.g. Desert Perpetual's, 3896382790). Every completed stored instance of the hash is
 * fetched again; one that still answers 12 (InsufficientPrivileges) is flagged RestrictedPGCR plus
 * its raid's bit, probability 1, and blacklisted with the reason "Restricted PGCR", in one
 * transaction per batch. Instances Bungie now serves are left alone. --dry-run only reports.
 */

import type { RateLimitedBungie } from "../lib/bungie/rate-limited.ts"
import { CheatBit } from "../lib/cheat/bits.ts"
import { ACTIVITY_HEURISTICS } from "../lib/cheat/heuristics-table.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import type { Progress } from "../lib/cli/progress.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import type { Sql } from "../lib/database/postgres.ts"
import { mapBounded } from "../lib/jobs/fetch-and-process.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "flag-restricted-pgcrs"
export const RESTRICTED_VERSION = "restricted-pgcr"
export const RESTRICTED_REASON = "Restricted PGCR"

const FLAG_RESTRICTED_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <activityHash> [--dry-run] [flags]`,
  summary:
    "Re-fetches every completed stored instance of an activity hash; those Bungie still withholds (ErrorCode 12) are flagged " +
    'RestrictedPGCR (with the raid\'s bit, probability 1) and blacklisted with the reason "Restricted PGCR".',
  sections: ["shared"],
  flags: {
    concurrency: { type: "int", default: 8, min: 1, max: 64, description: "Bungie requests in flight at once." },
    batchSize: { type: "int", default: 500, min: 1, max: 10_000, description: "Instances per transaction." },
    dryRun: { type: "boolean", default: false, description: "Fetch and report which would be flagged; write nothing." },
  },
  positionals: { name: "activityHash", description: "The activity (version) hash, e.g. 3896382790.", max: 1 },
} as const satisfies CommandSpec

export interface FlagRestrictedReport {
  hash: string
  checked: number
  restricted: string[]
  /** Served again by Bungie (not flagged). */
  available: number
  /** Other answers (not found, errors after retries): not flagged, try again later. */
  unknown: number
  flagged: number
  dryRun: boolean
}

export async function flagRestrictedPgcrs(o: {
  sql: Sql
  bungie: RateLimitedBungie
  hash: string
  concurrency: number
  batchSize: number
  dryRun: boolean
  progress?: (total: number) => Progress
}): Promise<FlagRestrictedReport> {
  const [version] = await o.sql<
    { activity_id: number }[]
  >`select activity_id from definitions.activity_version where hash = ${o.hash}::bigint`
  if (!version) throw new UsageError(`activity hash ${o.hash} is not in definitions.activity_version`)
  const raidBit = ACTIVITY_HEURISTICS.find((h) => h.activityId === version.activity_id)?.raidBit ?? 0n
  const bitmask = (CheatBit.RestrictedPGCR | raidBit).toString()
  const ids = (
    await o.sql<
      { id: string }[]
    >`select instance_id::text as id from core.instance where hash = ${o.hash}::bigint and completed order by instance_id`
  ).map((r) => r.id)
  const report: FlagRestrictedReport = { hash: o.hash, checked: 0, restricted: [], available: 0, unknown: 0, flagged: 0, dryRun: o.dryRun }
  const progress = o.progress?.(ids.length)
  for (let i = 0; i < ids.length; i += o.batchSize) {
    const batch = ids.slice(i, i + o.batchSize)
    const kinds = await mapBounded(batch, o.concurrency, async (id) => {
      const result = await o.bungie.call((c) => c.getPgcr(BigInt(id)), { maxAttempts: 3, retryOn: ["transient", "badFormat", "throttled"] })
      progress?.advance()
      return result.kind
    })
    const restricted = batch.filter((_, k) => kinds[k] === "blocked")
    report.checked += batch.length
    report.available += kinds.filter((k) => k === "ok").length
    report.unknown += kinds.filter((k) => k !== "ok" && k !== "blocked").length
    report.restricted.push(...restricted)
    if (o.dryRun || restricted.length === 0) continue
    report.flagged += await o.sql.begin(async (tx) => {
      await tx`
        insert into flagging.flag_instance (instance_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
        select id, ${RESTRICTED_VERSION}, ${bitmask}::bigint, 1 from unnest(${restricted}::bigint[]) as id
        on conflict (instance_id, cheat_check_version) do update set cheat_check_bitmask = excluded.cheat_check_bitmask, flagged_at = now()`
      const rows = await tx`
        insert into flagging.blacklist_instance (instance_id, report_source, cheat_check_version, reason)
        select id, 'CheatCheck', ${RESTRICTED_VERSION}, ${RESTRICTED_REASON} from unnest(${restricted}::bigint[]) as id
        on conflict (instance_id) do nothing
        returning 1`
      return rows.length
    })
  }
  progress?.finish()
  return report
}

async function main({ config, flags, positionals }: CommandLine<typeof FLAG_RESTRICTED_COMMAND>, io: ToolIo): Promise<number> {
  const hash = positionals[0]
  if (hash === undefined) throw new UsageError("give the activity hash")
  if (!/^[1-9][0-9]{0,9}$/.test(hash) || Number(hash) > 4_294_967_295) throw new UsageError(`not an activity hash: ${JSON.stringify(hash)}`)
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: NAME } })
  const pg = await openJobPostgres(config, NAME, log)
  const bungie = createJobBungie(config, { client: NAME, concurrency: flags.concurrency })
  try {
    const report = await flagRestrictedPgcrs({
      sql: pg.sql,
      bungie,
      hash,
      concurrency: flags.concurrency,
      batchSize: flags.batchSize,
      dryRun: flags.dryRun,
      progress: (total) => createStderrProgress("instances", total, NAME),
    })
    for (const id of report.restricted) io.out(id)
    const { restricted, ...counts } = report
    io.out(JSON.stringify({ ...counts, restricted: restricted.length }))
    return 0
  } finally {
    bungie.close()
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Flag and blacklist the instances of an activity hash whose PGCRs Bungie still withholds (code 12).",
  usage: renderHelp(FLAG_RESTRICTED_COMMAND),
  run: (argv, io) => runCommand(FLAG_RESTRICTED_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

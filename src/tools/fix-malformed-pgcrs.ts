/**
 * `bun run tool fix-malformed-pgcrs <instanceId>... | --file <path>`: re-fetches the listed PGCRs
 * (cache-busted, so a CDN cannot hand back the bad body again), processes them, and replaces the
 * stored instances through replaceInstance: the old instance's contribution to every player
 * aggregate is reverted (first clears, sherpas, stats, totals recomputed from what remains) before
 * the new version is stored, in one locked transaction, so nothing is counted twice (the original
 * re-stored on top of the old aggregates). Ids Bungie does not serve as a raid are reported and
 * left as they are. --dry-run fetches and reports only.
 */

import type { RateLimitedBungie } from "../lib/bungie/rate-limited.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import type { Progress } from "../lib/cli/progress.ts"
import { createStderrProgress } from "../lib/cli/progress.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import type { Sql } from "../lib/database/postgres.ts"
import { replaceInstance } from "../lib/database/replace-instance.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { fetchAndProcess, mapBounded } from "../lib/jobs/fetch-and-process.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { readMembershipIds } from "./activity-history-update.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "fix-malformed-pgcrs"

const FIX_MALFORMED_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <instanceId>... | --file <path>  [--dry-run]`,
  summary:
    "Re-fetches the given PGCRs (cache-busted) and replaces the stored instances with them, reverting each old instance's " +
    "contribution to the player aggregates first, so nothing is counted twice. Ids that are not a raid now are reported, not touched.",
  sections: ["shared"],
  flags: {
    file: { type: "string", default: null, description: "Read instance ids from this file, one per line (# comments allowed)." },
    concurrency: { type: "int", default: 4, min: 1, max: 64, description: "Bungie requests in flight at once." },
    dryRun: { type: "boolean", default: false, description: "Fetch and process; report what would be replaced, write nothing." },
  },
  positionals: { name: "instanceId", description: "An instance id (decimal).", max: 10_000 },
} as const satisfies CommandSpec

export interface FixMalformedReport {
  replaced: string[]
  /** Stored for the first time (no older version existed). */
  stored: string[]
  /** Not replaced, with the reason (not a raid, Bungie's answer, bad PGCR). */
  skipped: { id: string; reason: string }[]
  dryRun: boolean
}

export async function fixMalformedPgcrs(o: {
  sql: Sql
  bungie: RateLimitedBungie
  ids: readonly string[]
  concurrency: number
  dryRun: boolean
  progress?: (total: number) => Progress
}): Promise<FixMalformedReport> {
  const defs = loadDefinitions()
  const report: FixMalformedReport = { replaced: [], stored: [], skipped: [], dryRun: o.dryRun }
  const progress = o.progress?.(o.ids.length)
  await mapBounded(o.ids, o.concurrency, async (id) => {
    const out = await fetchAndProcess(o.bungie, BigInt(id), defs, { cacheBust: 1 })
    if (out.kind === "nonRaid") report.skipped.push({ id, reason: out.unknownRaidHash ? "raid mode with an unknown hash" : "not a raid" })
    else if (out.kind === "failed") report.skipped.push({ id, reason: `${out.failure.kind}: ${out.failure.reason}` })
    else if (o.dryRun) report.replaced.push(id)
    else {
      // One at a time under the store lock: each replace recomputes its players' aggregates.
      const result = await replaceInstance(o.sql, out.item)
      if (result.unknownHashIds.includes(id)) report.skipped.push({ id, reason: "unknown activity hash" })
      else (result.replaced ? report.replaced : report.stored).push(id)
    }
    progress?.advance()
  })
  progress?.finish()
  const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : 1)
  report.replaced.sort(byId)
  report.stored.sort(byId)
  report.skipped.sort((a, b) => byId(a.id, b.id))
  return report
}

async function main({ config, flags, positionals }: CommandLine<typeof FIX_MALFORMED_COMMAND>, io: ToolIo): Promise<number> {
  if (flags.file !== null && positionals.length > 0) throw new UsageError("give instance ids or --file, not both")
  let fileText: string | null = null
  if (flags.file !== null) {
    try {
      fileText = await Bun.file(flags.file).text()
    } catch {
      throw new UsageError(`cannot read ${flags.file}`)
    }
  }
  let ids: string[]
  try {
    ids = readMembershipIds(positionals, fileText)
  } catch (error) {
    throw new UsageError((error as Error).message.replace("a membership id", "an instance id").replace("membership ids", "instance ids"))
  }
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: NAME } })
  const pg = await openJobPostgres(config, NAME, log)
  const bungie = createJobBungie(config, { client: NAME, concurrency: flags.concurrency })
  try {
    const report = await fixMalformedPgcrs({
      sql: pg.sql,
      bungie,
      ids,
      concurrency: flags.concurrency,
      dryRun: flags.dryRun,
      progress: (total) => createStderrProgress("ids", total, NAME),
    })
    for (const s of report.skipped) io.err(`${NAME}: instance ${s.id} not replaced: ${s.reason}`)
    io.out(JSON.stringify({ replaced: report.replaced, stored: report.stored, skipped: report.skipped.length, dryRun: report.dryRun }))
    return report.skipped.length === 0 ? 0 : 1
  } finally {
    bungie.close()
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Re-fetch listed PGCRs and replace the stored instances, reverting their old aggregates first.",
  usage: renderHelp(FIX_MALFORMED_COMMAND),
  run: (argv, io) => runCommand(FIX_MALFORMED_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

/**
 * `bun run tool refresh-view [--all | <name>...] [flags]`
 *
 * Refreshes materialized views in dependency order, caches first, CONCURRENTLY where the view
 * allows it; prints one line per view with how and how long. Exit codes: 0 done, 1 a refresh
 * failed (the views after it are not refreshed), 2 bad usage or an unreachable database (one line).
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { listMaterializedViews, refreshMaterializedViews, selectViews, UnknownViewError } from "../lib/database/refresh-views.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"
import { openToolPostgres } from "./tool-connections.ts"

const NAME = "refresh-view"

const REFRESH_VIEW_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} --all | <name>...  [flags]`,
  summary:
    "Refreshes materialized views (DATABASE_URL, else the embedded Postgres under DATA_DIR) in dependency order with the cache " +
    "schema first: the leaderboards read the caches. A view is refreshed CONCURRENTLY (readers keep the previous rows meanwhile) " +
    "when it is populated and has a unique index; otherwise with a plain REFRESH, which blocks its readers until done.",
  sections: ["shared"],
  flags: {
    all: { type: "boolean", default: false, description: "Every materialized view." },
  },
  positionals: {
    name: "name",
    description:
      "schema.view, or a view name only one schema has (e.g. cache._global_leaderboard_cache, team_activity_version_leaderboard).",
    max: 100,
  },
  notes: "Prints one line per view: name, mode, milliseconds. Exits 1 when a refresh fails (later views are left as they were).",
} as const satisfies CommandSpec

export interface RefreshViewArgs {
  views: "all" | string[]
}

/** The views asked for; throws UsageError. */
export function readRefreshViewArgs({
  flags,
  positionals,
}: Pick<CommandLine<typeof REFRESH_VIEW_COMMAND>, "flags" | "positionals">): RefreshViewArgs {
  for (const name of positionals) {
    if (!/^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/i.test(name)) throw new UsageError(`not a view name: ${JSON.stringify(name)}`)
  }
  if (flags.all && positionals.length > 0) throw new UsageError("give --all or view names, not both")
  if (!flags.all && positionals.length === 0) throw new UsageError("give --all or the views to refresh (see --help)")
  return { views: flags.all ? "all" : [...positionals] }
}

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(REFRESH_VIEW_COMMAND, (cli) => refreshViews(cli, io), toCommandIo(argv, io))
}

async function refreshViews(cli: CommandLine<typeof REFRESH_VIEW_COMMAND>, io: ToolIo): Promise<number> {
  const args = readRefreshViewArgs(cli)
  const pg = await openToolPostgres(NAME, cli.config)
  try {
    let views: Awaited<ReturnType<typeof listMaterializedViews>>
    try {
      views = selectViews(await listMaterializedViews(pg.sql), args.views)
    } catch (error) {
      if (!(error instanceof UnknownViewError)) throw error
      throw new UsageError(error.message)
    }
    const width = Math.max(0, ...views.map((v) => v.name.length))
    const started = performance.now()
    try {
      await refreshMaterializedViews(pg.sql, views, (o) => io.out(`${o.name.padEnd(width)}  ${o.mode.padEnd(12)}  ${Math.round(o.ms)} ms`))
    } catch (error) {
      io.err(`${NAME}: refresh failed: ${error instanceof Error ? error.message : String(error)}`)
      return 1
    }
    io.out(`${views.length} view${views.length === 1 ? "" : "s"} refreshed in ${Math.round(performance.now() - started)} ms`)
    return 0
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Refresh materialized views in dependency order, caches first, concurrently where possible.",
  usage: renderHelp(REFRESH_VIEW_COMMAND),
  run,
}

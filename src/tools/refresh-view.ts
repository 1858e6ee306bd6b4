/**
 * `bun run tool refresh-view [--all | <name>...] [config flags]`
 *
 * Refreshes materialized views in dependency order, caches first, CONCURRENTLY where the view
 * allows it; prints one line per view with how and how long. Exit codes: 0 done, 1 a refresh
 * failed (the views after it are not refreshed), 2 bad usage (one line).
 */
import { listMaterializedViews, refreshMaterializedViews, selectViews, UnknownViewError } from "../lib/database/refresh-views.ts"
import type { Tool, ToolIo } from "./tool.ts"
import { loadToolConfig, openToolPostgres } from "./tool-connections.ts"

const NAME = "refresh-view"

const USAGE = `Usage:
  bun run tool ${NAME} --all [config flags]
  bun run tool ${NAME} <name>... [config flags]

Refreshes materialized views (DATABASE_URL, else the embedded Postgres under DATA_DIR), in
dependency order with the cache schema first: the leaderboards read the caches. A view is
refreshed CONCURRENTLY (readers keep the previous rows meanwhile) when it is populated and has a
unique index; otherwise with a plain REFRESH, which blocks its readers until done.

  --all       every materialized view
  <name>      schema.view, or a view name that only one schema has
              (e.g. cache._global_leaderboard_cache, team_activity_version_leaderboard)
  --help      this text

Prints one line per view: name, mode, milliseconds. Exits 1 when a refresh fails (later views
are left as they were), 2 on bad usage.`

export class UsageError extends Error {}

export interface RefreshViewArgs {
  views: "all" | string[]
}

export function parseRefreshViewArgs(rest: readonly string[]): RefreshViewArgs {
  let all = false
  const names: string[] = []
  for (const arg of rest) {
    if (arg === "--all") all = true
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${JSON.stringify(arg)} (see --help)`)
    else if (/^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/i.test(arg)) names.push(arg)
    else throw new UsageError(`not a view name: ${JSON.stringify(arg)}`)
  }
  if (all && names.length > 0) throw new UsageError("give --all or view names, not both")
  if (!all && names.length === 0) throw new UsageError("give --all or the views to refresh (see --help)")
  return { views: all ? "all" : names }
}

async function run(argv: readonly string[], io: ToolIo): Promise<number> {
  const loaded = loadToolConfig(NAME, argv, io)
  if (!loaded.ok) return loaded.exitCode
  let args: RefreshViewArgs
  try {
    args = parseRefreshViewArgs(loaded.rest)
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
  try {
    let views: Awaited<ReturnType<typeof listMaterializedViews>>
    try {
      views = selectViews(await listMaterializedViews(pg.sql), args.views)
    } catch (error) {
      if (!(error instanceof UnknownViewError)) throw error
      io.err(`${NAME}: ${error.message}`)
      return 2
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
  usage: USAGE,
  run,
}

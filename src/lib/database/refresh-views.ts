/**
 * Refreshes the database's materialized views (the `cache` and `leaderboard` schemas) in
 * dependency order, caches first. CONCURRENTLY (readers keep the old rows meanwhile) wherever
 * Postgres allows it: the view is populated and has a unique index on plain columns without a
 * WHERE clause; otherwise a plain REFRESH, which locks readers out for its duration.
 * Used by `bun run tool refresh-view` and meant for the scheduler's leaderboard job.
 */
import { quoteIdent, type Sql } from "./postgres.ts"
import { type MaterializedViewNode, orderForRefresh } from "./refresh-order.ts"

export interface MaterializedViewInfo extends MaterializedViewNode {
  view: string
  populated: boolean
  /** Has a unique index REFRESH ... CONCURRENTLY can use. */
  hasUniqueIndex: boolean
}

export interface RefreshOutcome {
  name: string
  mode: "concurrently" | "blocking"
  ms: number
}

/** Every materialized view outside the system schemas, in refresh order. */
export async function listMaterializedViews(sql: Sql): Promise<MaterializedViewInfo[]> {
  const rows = await sql<{ schema: string; view: string; populated: boolean; has_unique_index: boolean; depends_on: string[] }[]>`
    SELECT
      n.nspname AS schema,
      c.relname AS view,
      c.relispopulated AS populated,
      EXISTS (
        SELECT 1 FROM pg_catalog.pg_index x
        WHERE x.indrelid = c.oid AND x.indisunique AND x.indisvalid AND x.indpred IS NULL AND x.indexprs IS NULL
      ) AS has_unique_index,
      coalesce((
        SELECT array_agg(DISTINCT rn.nspname || '.' || rc.relname)
        FROM pg_catalog.pg_rewrite r
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
          AND d.refclassid = 'pg_catalog.pg_class'::regclass
        JOIN pg_catalog.pg_class rc ON rc.oid = d.refobjid AND rc.relkind = 'm' AND rc.oid <> c.oid
        JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE r.ev_class = c.oid
      ), '{}') AS depends_on
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'm' AND n.nspname NOT IN ('pg_catalog', 'information_schema')`
  return orderForRefresh(
    rows.map((r) => ({
      name: `${r.schema}.${r.view}`,
      schema: r.schema,
      view: r.view,
      populated: r.populated,
      hasUniqueIndex: r.has_unique_index,
      dependsOn: r.depends_on,
    })),
  )
}

/** Refreshes one view, concurrently when it can; returns how and how long it took. */
export async function refreshMaterializedView(sql: Sql, view: MaterializedViewInfo): Promise<RefreshOutcome> {
  const mode = view.populated && view.hasUniqueIndex ? "concurrently" : "blocking"
  const target = `${quoteIdent(view.schema)}.${quoteIdent(view.view)}`
  const started = performance.now()
  await sql.unsafe(`REFRESH MATERIALIZED VIEW ${mode === "concurrently" ? "CONCURRENTLY " : ""}${target}`)
  return { name: view.name, mode, ms: performance.now() - started }
}

export class UnknownViewError extends Error {}

/**
 * Picks the views to refresh: all of them, or the named ones (`schema.view`, or a bare view name
 * when only one schema has it), always in refresh order. Throws UnknownViewError for a name that
 * matches no view or more than one.
 */
export function selectViews(all: readonly MaterializedViewInfo[], names: readonly string[] | "all"): MaterializedViewInfo[] {
  if (names === "all") return [...all]
  const wanted = new Set<string>()
  for (const name of names) {
    const matches = all.filter((v) => v.name === name || (!name.includes(".") && v.view === name))
    if (matches.length !== 1) {
      const reason = matches.length === 0 ? "no materialized view" : "more than one materialized view"
      throw new UnknownViewError(`${reason} named ${JSON.stringify(name)}`)
    }
    wanted.add(matches[0]!.name)
  }
  return all.filter((v) => wanted.has(v.name))
}

/**
 * Refreshes the given views one after another; `onRefreshed` hears of each as it finishes. The
 * first failure stops the run and is rethrown with the view's name.
 */
export async function refreshMaterializedViews(
  sql: Sql,
  views: readonly MaterializedViewInfo[],
  onRefreshed: (outcome: RefreshOutcome) => void = () => {},
): Promise<RefreshOutcome[]> {
  const outcomes: RefreshOutcome[] = []
  for (const view of views) {
    let outcome: RefreshOutcome
    try {
      outcome = await refreshMaterializedView(sql, view)
    } catch (error) {
      throw new Error(`${view.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    outcomes.push(outcome)
    onRefreshed(outcome)
  }
  return outcomes
}

/**
 * bob: recomputes every player's ordering-dependent and summed aggregates from the stored rows
 * (first clears, sherpas, player_stats, player totals and sum of best) and reports what it
 * changed. Our store decides these by completion time, never by arrival order, so on a database
 * the store built bob must find nothing; a difference means a bug or a hand edit, and bob fixes
 * it. Players are done in batches (keyset over membership id), each batch in one transaction under
 * the store lock (player-aggregates.ts recomputes; before and after are compared here), so the
 * crawler waits at most one batch. The ClickHouse rows of instances whose first-clear or sherpa
 * values changed are re-emitted through the outbox. --dry-run rolls every batch back.
 */
import type { Progress } from "../../lib/cli/progress.ts"
import { declareStaging } from "../../lib/database/instance-store-staging.ts"
import { recomputeInTransaction } from "../../lib/database/player-aggregates.ts"
import type { Sql } from "../../lib/database/postgres.ts"
import type { AnyTx } from "../../lib/database/sql-types.ts"
import { lockInstanceStore } from "../../lib/database/store-lock.ts"

export interface FixOptions {
  sql: Sql
  /** Players per transaction. */
  batchSize: number
  dryRun: boolean
  /** Differences listed in the report (the counts cover all of them). */
  maxExamples?: number
  progress?: (total: number) => Progress
}

export interface Difference {
  table: "instance_player" | "player_stats" | "player"
  key: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
}

export interface FixReport {
  players: number
  /** instance_player rows whose is_first_clear changed. */
  firstClears: number
  /** instance_player rows whose sherpas changed. */
  sherpas: number
  /** player_stats rows changed, added or removed. */
  playerStats: number
  /** core.player rows whose clears, fresh clears, sherpas, time played or sum of best changed. */
  playerTotals: number
  /** Instances re-emitted to ClickHouse. */
  changedInstances: number
  examples: Difference[]
  dryRun: boolean
}

class DryRunRollback extends Error {}

export async function fixSherpaClears(o: FixOptions): Promise<FixReport> {
  const maxExamples = o.maxExamples ?? 20
  const report: FixReport = {
    players: 0,
    firstClears: 0,
    sherpas: 0,
    playerStats: 0,
    playerTotals: 0,
    changedInstances: 0,
    examples: [],
    dryRun: o.dryRun,
  }
  const [{ total } = { total: 0 }] = await o.sql<{ total: number }[]>`select count(*)::int as total from core.player`
  const progress = o.progress?.(total)
  let after = "-1"
  for (;;) {
    const ids = (
      await o.sql<{ id: string }[]>`
        select membership_id::text as id from core.player where membership_id > ${after}::bigint order by membership_id limit ${o.batchSize}`
    ).map((r) => r.id)
    if (ids.length === 0) break
    after = ids.at(-1)!
    try {
      await o.sql.begin(async (tx) => {
        await lockInstanceStore(tx)
        await declareStaging(tx)
        await snapshot(tx, ids)
        const recomputed = await recomputeInTransaction(tx, ids, { writeOutbox: !o.dryRun })
        await collectDifferences(tx, report, maxExamples)
        report.changedInstances += recomputed.changedInstanceIds.length
        if (o.dryRun) throw new DryRunRollback()
      })
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error
    }
    report.players += ids.length
    progress?.advance(ids.length)
  }
  progress?.finish()
  return report
}

/**
 * Before-images of every row the recompute of `ids` can touch: the participant rows of their
 * instances, and the stats and totals of everyone who played with them (sherpa deltas reach them).
 */
async function snapshot(tx: AnyTx, ids: readonly string[]): Promise<void> {
  await tx.unsafe(
    `create temp table bob_touched on commit drop as
       select distinct ip2.membership_id from core.instance_player ip
       join core.instance_player ip2 on ip2.instance_id = ip.instance_id
       where ip.membership_id = any($1::bigint[])
       union select unnest($1::bigint[])`,
    [[...ids]],
  )
  // First clears move only on the batch's own rows, sherpas only in the instances they played.
  await tx.unsafe(
    `create temp table bob_ip on commit drop as
       select ip.instance_id, ip.membership_id, ip.is_first_clear, ip.sherpas from core.instance_player ip
       where ip.instance_id in (select instance_id from core.instance_player where membership_id = any($1::bigint[]))`,
    [[...ids]],
  )
  await tx.unsafe(`
    create temp table bob_ps on commit drop as
      select membership_id, activity_id, clears, fresh_clears, sherpas, total_time_played_seconds, fastest_instance_id
      from core.player_stats where membership_id in (select membership_id from bob_touched)`)
  await tx.unsafe(`
    create temp table bob_p on commit drop as
      select membership_id, clears, fresh_clears, sherpas, total_time_played_seconds, sum_of_best
      from core.player where membership_id in (select membership_id from bob_touched)`)
}

interface DiffRow {
  kind: "firstClear" | "sherpas" | "player_stats" | "player"
  key: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
}

/** Compares the before-images with the rows now; adds counts and examples to the report. */
async function collectDifferences(tx: AnyTx, report: FixReport, maxExamples: number): Promise<void> {
  const rows = await tx.unsafe<{ kind: DiffRow["kind"]; key: string; before: string | null; after: string | null }[]>(`
    select 'firstClear' as kind, b.instance_id || '/' || b.membership_id as key,
           json_build_object('is_first_clear', b.is_first_clear)::text as before, json_build_object('is_first_clear', ip.is_first_clear)::text as after
    from bob_ip b join core.instance_player ip using (instance_id, membership_id)
    where ip.is_first_clear <> b.is_first_clear
    union all
    select 'sherpas', b.instance_id || '/' || b.membership_id,
           json_build_object('sherpas', b.sherpas)::text, json_build_object('sherpas', ip.sherpas)::text
    from bob_ip b join core.instance_player ip using (instance_id, membership_id)
    where ip.sherpas <> b.sherpas
    union all
    select 'player_stats', coalesce(b.membership_id, ps.membership_id) || '/' || coalesce(b.activity_id, ps.activity_id),
           case when b.membership_id is null then null else json_build_object('clears', b.clears, 'fresh_clears', b.fresh_clears,
             'sherpas', b.sherpas, 'total_time_played_seconds', b.total_time_played_seconds, 'fastest_instance_id', b.fastest_instance_id::text)::text end,
           case when ps.membership_id is null then null else json_build_object('clears', ps.clears, 'fresh_clears', ps.fresh_clears,
             'sherpas', ps.sherpas, 'total_time_played_seconds', ps.total_time_played_seconds, 'fastest_instance_id', ps.fastest_instance_id::text)::text end
    from bob_ps b
    full join (select * from core.player_stats where membership_id in (select membership_id from bob_touched)) ps
      using (membership_id, activity_id)
    where row(b.clears, b.fresh_clears, b.sherpas, b.total_time_played_seconds, b.fastest_instance_id)
          is distinct from row(ps.clears, ps.fresh_clears, ps.sherpas, ps.total_time_played_seconds, ps.fastest_instance_id)
    union all
    select 'player', b.membership_id::text,
           json_build_object('clears', b.clears, 'fresh_clears', b.fresh_clears, 'sherpas', b.sherpas,
             'total_time_played_seconds', b.total_time_played_seconds, 'sum_of_best', b.sum_of_best)::text,
           json_build_object('clears', p.clears, 'fresh_clears', p.fresh_clears, 'sherpas', p.sherpas,
             'total_time_played_seconds', p.total_time_played_seconds, 'sum_of_best', p.sum_of_best)::text
    from bob_p b join core.player p using (membership_id)
    where row(b.clears, b.fresh_clears, b.sherpas, b.total_time_played_seconds, b.sum_of_best)
          is distinct from row(p.clears, p.fresh_clears, p.sherpas, p.total_time_played_seconds, p.sum_of_best)
    order by 1, 2`)
  for (const row of rows) {
    if (row.kind === "firstClear") report.firstClears++
    else if (row.kind === "sherpas") report.sherpas++
    else if (row.kind === "player_stats") report.playerStats++
    else report.playerTotals++
    if (report.examples.length < maxExamples) {
      report.examples.push({
        table: row.kind === "firstClear" || row.kind === "sherpas" ? "instance_player" : row.kind,
        key: row.key,
        before: row.before === null ? null : JSON.parse(row.before),
        after: row.after === null ? null : JSON.parse(row.after),
      })
    }
  }
}

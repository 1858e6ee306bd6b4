/**
 * Recomputes players' aggregates from the stored rows: first clears, the sherpas of every
 * instance they played in (other participants' totals follow by delta), player_stats
 * (clears, fresh clears, sherpas, time played, fastest clear), and core.player counters and sum
 * of best. Used by replaceInstance and by repair tools; the batch store keeps the same values
 * incrementally (first-clears.ts documents the rules and tie-breaking).
 *
 * Not recomputed: first_seen / last_seen / profile fields (monotonic observations, not counts).
 */
import { applySherpaDeltas, recomputeSherpas } from "./first-clears.ts"
import { writeInstanceOutbox } from "./instance-store-outbox.ts"
import { declareStaging } from "./instance-store-staging.ts"
import { updateSumOfBest } from "./instance-store-stats.ts"
import type { AnySql, AnyTx } from "./sql-types.ts"
import { lockInstanceStore } from "./store-lock.ts"

export interface RecomputeReport {
  players: number
  /** Instances whose first-clear / sherpa values changed (ClickHouse rows re-emitted). */
  changedInstanceIds: string[]
}

/** Recomputes the aggregates of `membershipIds` (decimal strings) in one locked transaction. */
export async function recomputePlayerAggregates(sql: AnySql, membershipIds: readonly string[]): Promise<RecomputeReport> {
  return sql.begin(async (tx) => {
    await lockInstanceStore(tx)
    await declareStaging(tx)
    return recomputeInTransaction(tx, membershipIds)
  })
}

/** The body of recomputePlayerAggregates for a caller holding a transaction, the lock and staging. */
export async function recomputeInTransaction(
  tx: AnyTx,
  membershipIds: readonly string[],
  options: { writeOutbox?: boolean } = {},
): Promise<RecomputeReport> {
  await tx.unsafe("truncate rh_stg1_recompute, rh_stg1_sherpa_delta, rh_stg1_changed, rh_stg1_first_clear_move")
  await tx.unsafe("insert into rh_stg1_recompute (membership_id) select distinct unnest($1::bigint[]) on conflict do nothing", [
    [...membershipIds],
  ])
  await resetFirstClears(tx)
  await recomputeSherpas(
    tx,
    `
    select distinct ip.instance_id from core.instance_player ip
    where ip.membership_id in (select membership_id from rh_stg1_recompute)`,
  )
  // Other participants of those instances move by the sherpa deltas; the targets are rebuilt below.
  await applySherpaDeltas(tx, true)
  await rebuildPlayerStats(tx)
  await rebuildPlayerTotals(tx)
  await updateSumOfBest(tx, "select membership_id from rh_stg1_recompute")
  // replaceInstance leaves the ClickHouse rows to the store that follows (rh_stg1_changed is kept).
  if (options.writeOutbox === false) return { players: membershipIds.length, changedInstanceIds: [] }
  const outbox = await writeInstanceOutbox(tx)
  return { players: membershipIds.length, changedInstanceIds: outbox.changedIds }
}

/** Sets is_first_clear on exactly the earliest clear per (player, activity); notes changed instances. */
async function resetFirstClears(tx: AnyTx): Promise<void> {
  await tx.unsafe(`
    with rows as (
      select ip.instance_id, ip.membership_id, ip.completed, ip.is_first_clear, av.activity_id, i.date_completed
      from core.instance_player ip
      join core.instance i on i.instance_id = ip.instance_id
      join definitions.activity_version av on av.hash = i.hash
      where ip.membership_id in (select membership_id from rh_stg1_recompute)
    ), firsts as (
      select distinct on (membership_id, activity_id) membership_id, instance_id
      from rows where completed
      order by membership_id, activity_id, date_completed, instance_id
    ), wanted as (
      select r.instance_id, r.membership_id, r.is_first_clear as was, (f.instance_id is not null) as now
      from rows r left join firsts f on f.membership_id = r.membership_id and f.instance_id = r.instance_id
    ), updated as (
      update core.instance_player ip set is_first_clear = w.now
      from wanted w
      where ip.instance_id = w.instance_id and ip.membership_id = w.membership_id and w.was <> w.now
      returning ip.instance_id
    )
    insert into rh_stg1_changed (instance_id) select distinct instance_id from updated on conflict do nothing`)
}

/** Rewrites player_stats of the target players from their instance rows; drops rows left empty. */
async function rebuildPlayerStats(tx: AnyTx): Promise<void> {
  await tx.unsafe(`
    with rows as (
      select ip.membership_id, av.activity_id, ip.completed, ip.sherpas, ip.time_played_seconds,
             i.instance_id, i.fresh, i.duration, i.date_completed
      from core.instance_player ip
      join core.instance i on i.instance_id = ip.instance_id
      join definitions.activity_version av on av.hash = i.hash
      where ip.membership_id in (select membership_id from rh_stg1_recompute)
    ), agg as (
      select membership_id, activity_id,
             count(*) filter (where completed)::int as clears,
             count(*) filter (where completed and fresh)::int as fresh_clears,
             sum(sherpas)::int as sherpas,
             sum(time_played_seconds)::bigint as time_played,
             (array_agg(instance_id order by duration, date_completed, instance_id)
                filter (where completed and fresh))[1] as fastest
      from rows group by membership_id, activity_id
    ), upserted as (
      insert into core.player_stats as cur (membership_id, activity_id, clears, fresh_clears, sherpas,
                                            total_time_played_seconds, fastest_instance_id)
      select membership_id, activity_id, clears, fresh_clears, sherpas, time_played, fastest
      from agg order by membership_id, activity_id
      on conflict (membership_id, activity_id) do update set
        clears = excluded.clears, fresh_clears = excluded.fresh_clears, sherpas = excluded.sherpas,
        total_time_played_seconds = excluded.total_time_played_seconds,
        fastest_instance_id = excluded.fastest_instance_id
      returning membership_id, activity_id
    )
    delete from core.player_stats ps
    where ps.membership_id in (select membership_id from rh_stg1_recompute)
      and not exists (select 1 from agg a where a.membership_id = ps.membership_id and a.activity_id = ps.activity_id)`)
}

/** Sets core.player counters of the target players to the sums of their player_stats. */
async function rebuildPlayerTotals(tx: AnyTx): Promise<void> {
  await tx.unsafe(`
    update core.player p set
      clears = coalesce(s.clears, 0), fresh_clears = coalesce(s.fresh_clears, 0),
      sherpas = coalesce(s.sherpas, 0), total_time_played_seconds = coalesce(s.time_played, 0),
      updated_at = now()
    from rh_stg1_recompute t
    left join (
      select membership_id, sum(clears)::int as clears, sum(fresh_clears)::int as fresh_clears,
             sum(sherpas)::int as sherpas, sum(total_time_played_seconds)::bigint as time_played
      from core.player_stats where membership_id in (select membership_id from rh_stg1_recompute)
      group by membership_id
    ) s on s.membership_id = t.membership_id
    where p.membership_id = t.membership_id`)
}

/**
 * Order-independent per-activity aggregates of the new instances: clears, fresh clears, time
 * played (all participants) and the fastest fresh clear, then sum of best for the players whose
 * fastest clear may have changed. All are sums or minima, so arrival order cannot matter.
 *
 * Fastest-clear order: (duration, date_completed, instance_id) ascending — the shortest fresh
 * clear, ties to the earlier completion, then to the lower instance id.
 */
import type { AnyTx } from "./sql-types.ts"

/**
 * Upserts core.player_stats rows for every participant of a new instance. The sherpa deltas
 * already recorded for those (player, activity) pairs (rh_stg1_sherpa_delta) are added in the
 * same write; applySherpaDeltas then skips these pairs (skipBatchStats).
 */
export async function upsertPlayerStats(tx: AnyTx): Promise<void> {
  await tx.unsafe(`
    with d as (
      select membership_id, activity_id, sum(delta)::int as delta from rh_stg1_sherpa_delta group by membership_id, activity_id
    ), p as (
      select sp.membership_id, n.activity_id, sp.completed, n.fresh, sp.time_played_seconds,
             n.instance_id, n.duration, n.date_completed
      from rh_stg1_player sp join rh_stg1_new n using (instance_id)
    ), agg as (
      select membership_id, activity_id,
             count(*) filter (where completed)::int as clears,
             count(*) filter (where completed and fresh)::int as fresh_clears,
             sum(time_played_seconds)::bigint as time_played
      from p group by membership_id, activity_id
    ), fastest as (
      select distinct on (membership_id, activity_id) membership_id, activity_id, instance_id
      from p where completed and fresh
      order by membership_id, activity_id, duration, date_completed, instance_id
    )
    insert into core.player_stats as cur (membership_id, activity_id, clears, fresh_clears, sherpas,
                                          total_time_played_seconds, fastest_instance_id)
    select a.membership_id, a.activity_id, a.clears, a.fresh_clears, coalesce(d.delta, 0), a.time_played, f.instance_id
    from agg a left join fastest f using (membership_id, activity_id) left join d using (membership_id, activity_id)
    order by a.membership_id, a.activity_id
    on conflict (membership_id, activity_id) do update set
      clears = cur.clears + excluded.clears,
      sherpas = cur.sherpas + excluded.sherpas,
      fresh_clears = cur.fresh_clears + excluded.fresh_clears,
      total_time_played_seconds = cur.total_time_played_seconds + excluded.total_time_played_seconds,
      fastest_instance_id = case
        when excluded.fastest_instance_id is null then cur.fastest_instance_id
        when cur.fastest_instance_id is null then excluded.fastest_instance_id
        when (select row(i.duration, i.date_completed, i.instance_id) from core.instance i
              where i.instance_id = excluded.fastest_instance_id)
           < (select row(i.duration, i.date_completed, i.instance_id) from core.instance i
              where i.instance_id = cur.fastest_instance_id)
        then excluded.fastest_instance_id
        else cur.fastest_instance_id end`)
}

/**
 * Recomputes core.player.sum_of_best for the players in \`playersSql\` (a query yielding
 * membership_id): the sum of the fastest fresh clear durations over every non-sunset raid, or
 * null unless the player has one for each.
 */
export async function updateSumOfBest(tx: AnyTx, playersSql: string): Promise<void> {
  await tx.unsafe(`
    with target as (${playersSql}),
    raids as (select id from definitions.activity_definition where is_raid and not is_sunset),
    best as (
      select t.membership_id,
             case when count(i.instance_id) = (select count(*) from raids) and count(i.instance_id) > 0
                  then sum(i.duration)::int end as total
      from (select distinct membership_id from target) t
      left join core.player_stats ps
        on ps.membership_id = t.membership_id and ps.activity_id in (select id from raids)
      left join core.instance i on i.instance_id = ps.fastest_instance_id
      group by t.membership_id
    )
    update core.player p set sum_of_best = b.total
    from best b
    where p.membership_id = b.membership_id and p.sum_of_best is distinct from b.total`)
}

/** Players of this batch whose fastest clear may have changed (a fresh clear). */
export const BATCH_FRESH_FINISHERS = `
  select sp.membership_id from rh_stg1_player sp join rh_stg1_new n using (instance_id)
  where sp.completed and n.fresh`

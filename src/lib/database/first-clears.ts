/**
 * Ordering-dependent aggregates, decided by completion time, never by arrival order.
 *
 * Order of clears: (date_completed, instance_id) ascending — equal completion times go to the
 * lower instance id. Invariant kept by every writer: for each (player, activity) with at least one
 * clear, exactly one instance_player row has is_first_clear, the earliest clear in that order.
 *
 * Sherpa rule (per instance, among finishers): a "noob" has no earlier clear of the activity (any
 * version), i.e. this is their first clear; a "pro" has one. Every noob gets is_first_clear; when
 * there is at least one pro and one noob, every pro gets sherpas = number of noobs. So
 * sherpas(p, i) = (p finished i and i is not p's first clear) ? #first clears in i : 0.
 *
 * A batch can only move a first clear earlier: for each (player, activity) the earliest clear
 * among the new instances is compared with the stored first clear (found through the partial
 * index on is_first_clear). When it wins, the flag moves, and sherpas are recomputed for the new
 * instances and for the instances that lost a first clear; the differences are applied to
 * player_stats and player. Everything is set-based: a fixed number of statements per batch.
 */
import type { AnyTx } from "./sql-types.ts"

/** Moves first-clear flags to the batch's earlier clears; fills rh_stg1_first_clear_move. */
export async function moveFirstClears(tx: AnyTx): Promise<void> {
  await tx.unsafe(`
    with candidate as (
      select distinct on (sp.membership_id, n.activity_id) sp.membership_id, n.activity_id, n.instance_id, n.date_completed
      from rh_stg1_player sp join rh_stg1_new n using (instance_id)
      where sp.completed
      order by sp.membership_id, n.activity_id, n.date_completed, n.instance_id
    ), stored as (
      select ip.membership_id, av.activity_id, i.instance_id, i.date_completed
      from core.instance_player ip
      join core.instance i on i.instance_id = ip.instance_id
      join definitions.activity_version av on av.hash = i.hash
      where ip.is_first_clear and ip.membership_id in (select membership_id from candidate)
    )
    insert into rh_stg1_first_clear_move (membership_id, activity_id, new_instance_id, old_instance_id)
    select c.membership_id, c.activity_id, c.instance_id, s.instance_id
    from candidate c left join stored s on s.membership_id = c.membership_id and s.activity_id = c.activity_id
    where s.instance_id is null or (c.date_completed, c.instance_id) < (s.date_completed, s.instance_id)`)
  await tx.unsafe(`
    update core.instance_player ip set is_first_clear = (ip.instance_id = m.new_instance_id)
    from (
      select membership_id, new_instance_id, new_instance_id as target from rh_stg1_first_clear_move
      union all
      select membership_id, new_instance_id, old_instance_id from rh_stg1_first_clear_move where old_instance_id is not null
    ) m
    where ip.membership_id = m.membership_id and ip.instance_id = m.target`)
}

/**
 * Recomputes instance_player.sherpas for the instances in \`instancesSql\` (a query yielding
 * instance_id) from their first-clear flags; records the changes in rh_stg1_sherpa_delta.
 */
export async function recomputeSherpas(tx: AnyTx, instancesSql: string): Promise<void> {
  await tx.unsafe(`
    with affected as (${instancesSql}),
    calc as (
      select ip.instance_id, ip.membership_id, ip.sherpas as old_sherpas,
             case when ip.completed and not ip.is_first_clear
                  then (count(*) filter (where ip.is_first_clear) over (partition by ip.instance_id))::int
                  else 0 end as new_sherpas
      from core.instance_player ip
      where ip.instance_id in (select instance_id from affected)
    ), updated as (
      update core.instance_player ip set sherpas = c.new_sherpas
      from calc c
      where ip.instance_id = c.instance_id and ip.membership_id = c.membership_id and c.new_sherpas <> c.old_sherpas
      returning ip.instance_id, ip.membership_id, c.new_sherpas - c.old_sherpas as delta
    )
    insert into rh_stg1_sherpa_delta (instance_id, membership_id, activity_id, delta)
    select u.instance_id, u.membership_id, av.activity_id, u.delta
    from updated u
    join core.instance i on i.instance_id = u.instance_id
    join definitions.activity_version av on av.hash = i.hash`)
}

/** The instances whose sherpas the store recomputes: new ones and those that lost a first clear. */
export const BATCH_SHERPA_INSTANCES = `
  select instance_id from rh_stg1_new
  union
  select old_instance_id from rh_stg1_first_clear_move where old_instance_id is not null`

/**
 * Adds the recorded sherpa deltas to player_stats and player (optionally skipping players whose
 * totals are recomputed from rows anyway), and notes already-stored instances that changed.
 */
export async function applySherpaDeltas(tx: AnyTx, skipRecomputed = false): Promise<void> {
  const skip = skipRecomputed ? "where membership_id not in (select membership_id from rh_stg1_recompute)" : ""
  await tx.unsafe(`
    update core.player_stats ps set sherpas = ps.sherpas + d.delta
    from (select membership_id, activity_id, sum(delta)::int as delta from rh_stg1_sherpa_delta ${skip}
          group by membership_id, activity_id) d
    where ps.membership_id = d.membership_id and ps.activity_id = d.activity_id and d.delta <> 0`)
  await tx.unsafe(`
    update core.player p set sherpas = p.sherpas + d.delta
    from (select membership_id, sum(delta)::int as delta from rh_stg1_sherpa_delta ${skip} group by membership_id) d
    where p.membership_id = d.membership_id and d.delta <> 0`)
  await tx.unsafe(`
    insert into rh_stg1_changed (instance_id)
    select instance_id from rh_stg1_sherpa_delta
    union
    select old_instance_id from rh_stg1_first_clear_move where old_instance_id is not null
    except
    select instance_id from rh_stg1_new
    on conflict do nothing`)
}

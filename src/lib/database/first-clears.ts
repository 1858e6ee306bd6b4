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
 * index on is_first_clear). This is decided before the new participant rows are inserted, so they
 * are written once with their final flags and sherpas (no update of freshly inserted rows); then
 * the flag is taken off the stored first clears that lost, their instances' sherpas are
 * recomputed, and all differences are applied to player_stats and player. Everything is
 * set-based: a fixed number of statements per batch.
 */
import type { AnyTx } from "./sql-types.ts"

/**
 * Decides which of the batch's clears become first clears, before the new instances' participant
 * rows exist (insertParticipants writes them with these flags and their sherpas already set);
 * fills rh_stg1_first_clear_move.
 */
export async function findFirstClearMoves(tx: AnyTx): Promise<void> {
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
}

/**
 * Takes the flag off the stored first clears that an earlier clear of the batch replaced (the new
 * instances' rows were inserted with their flags). Their sherpas are recomputed afterwards
 * (LOST_FIRST_CLEAR_INSTANCES).
 */
export async function clearMovedFirstClears(tx: AnyTx): Promise<void> {
  await tx.unsafe(`
    update core.instance_player ip set is_first_clear = false
    from rh_stg1_first_clear_move m
    where m.old_instance_id is not null and ip.membership_id = m.membership_id and ip.instance_id = m.old_instance_id`)
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

/**
 * The stored instances whose sherpas the store recomputes: those that lost a first clear. (The new
 * instances' sherpas are written, and their deltas recorded, by insertParticipants.)
 */
export const LOST_FIRST_CLEAR_INSTANCES = `
  select distinct old_instance_id as instance_id from rh_stg1_first_clear_move where old_instance_id is not null`

/**
 * Adds the recorded sherpa deltas to player_stats and player (optionally skipping players whose
 * totals are recomputed from rows anyway, and the player_stats pairs of the batch's participants,
 * which upsertPlayerStats already added), and notes already-stored instances that changed.
 */
export async function applySherpaDeltas(tx: AnyTx, skipRecomputed = false, skipBatchStats = false): Promise<void> {
  const skip = skipRecomputed ? "where membership_id not in (select membership_id from rh_stg1_recompute)" : ""
  const skipStats = skipBatchStats
    ? `${skip ? "and" : "where"} not exists (select 1 from rh_stg1_player sp join rh_stg1_new n using (instance_id)
         where sp.membership_id = x.membership_id and n.activity_id = x.activity_id)`
    : ""
  await tx.unsafe(`
    update core.player_stats ps set sherpas = ps.sherpas + d.delta
    from (select membership_id, activity_id, sum(delta)::int as delta from rh_stg1_sherpa_delta x ${skip} ${skipStats}
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

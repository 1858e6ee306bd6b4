/**
 * Set-based inserts of the batch's rows from staging into the real tables: raw PGCR, instance,
 * player upsert, participants, characters and weapons. Only instances this transaction really
 * inserted (rh_stg1_new) contribute anything beyond the raw row, which is what makes duplicates
 * idempotent.
 */
import type { AnyTx } from "./sql-types.ts"

/** Inserts raw PGCRs and instances; fills rh_stg1_new; returns the newly stored ids. */
export async function insertInstances(tx: AnyTx): Promise<string[]> {
  await tx.unsafe(`
    insert into raw.pgcr (instance_id, data)
    select instance_id, raw from rh_stg1_instance order by instance_id
    on conflict (instance_id) do nothing`)
  const rows = await tx.unsafe<{ id: string }[]>(`
    with inserted as (
      insert into core.instance (instance_id, hash, score, flawless, completed, fresh, player_count,
                                 date_started, date_completed, duration, platform_type, skull_hashes)
      select instance_id, hash, score, flawless, completed, fresh, player_count,
             date_started, date_completed, duration, platform_type, skull_hashes
      from rh_stg1_instance order by instance_id
      on conflict (instance_id) do nothing
      returning instance_id
    )
    insert into rh_stg1_new (instance_id, activity_id, date_completed, fresh, duration)
    select s.instance_id, s.activity_id, s.date_completed, s.fresh, s.duration
    from rh_stg1_instance s join inserted using (instance_id)
    returning instance_id::text as id`)
  return rows.map((r) => r.id).sort(compareDecimal)
}

/**
 * Upserts core.player for every participant of a new instance: membership type kept once known,
 * profile fields only from a newer observation (profile_seen_at), first_seen = min,
 * last_seen = max, clears / fresh clears / time played added. Queues a player crawl for new
 * players and for players whose membership type is still unknown. Returns the crawl count.
 */
export async function upsertPlayers(tx: AnyTx): Promise<number> {
  const [row] = await tx.unsafe<{ n: number }[]>(`
    with p as (
      select sp.*, n.fresh
      from rh_stg1_player sp join rh_stg1_new n using (instance_id)
    ), agg as (
      select membership_id,
             max(membership_type) filter (where membership_type > 0) as membership_type,
             min(first_seen) as first_seen, max(last_seen) as last_seen,
             count(*) filter (where completed)::int as clears,
             count(*) filter (where completed and fresh)::int as fresh_clears,
             sum(time_played_seconds)::bigint as time_played
      from p group by membership_id
    ), profile as (
      select distinct on (membership_id) membership_id, icon_path, display_name,
             bungie_global_display_name, bungie_global_display_name_code, last_seen as profile_seen_at
      from p
      where coalesce(icon_path, display_name, bungie_global_display_name, bungie_global_display_name_code) is not null
      order by membership_id, last_seen desc, instance_id desc
    ), upserted as (
      insert into core.player as cur (membership_id, membership_type, icon_path, display_name,
             bungie_global_display_name, bungie_global_display_name_code, first_seen, last_seen,
             clears, fresh_clears, total_time_played_seconds, profile_seen_at)
      select a.membership_id, a.membership_type, pr.icon_path, pr.display_name, pr.bungie_global_display_name,
             pr.bungie_global_display_name_code, a.first_seen, a.last_seen, a.clears, a.fresh_clears,
             a.time_played, pr.profile_seen_at
      from agg a left join profile pr using (membership_id)
      order by a.membership_id
      on conflict (membership_id) do update set
        membership_type = case when coalesce(cur.membership_type, 0) = 0
                               then coalesce(excluded.membership_type, cur.membership_type)
                               else cur.membership_type end,
        icon_path = case when ${NEWER_PROFILE} then excluded.icon_path else cur.icon_path end,
        display_name = case when ${NEWER_PROFILE} then excluded.display_name else cur.display_name end,
        bungie_global_display_name = case when ${NEWER_PROFILE} then excluded.bungie_global_display_name
                                          else cur.bungie_global_display_name end,
        bungie_global_display_name_code = case when ${NEWER_PROFILE} then excluded.bungie_global_display_name_code
                                               else cur.bungie_global_display_name_code end,
        profile_seen_at = case when ${NEWER_PROFILE} then excluded.profile_seen_at else cur.profile_seen_at end,
        first_seen = least(cur.first_seen, excluded.first_seen),
        last_seen = greatest(cur.last_seen, excluded.last_seen),
        clears = cur.clears + excluded.clears,
        fresh_clears = cur.fresh_clears + excluded.fresh_clears,
        total_time_played_seconds = cur.total_time_played_seconds + excluded.total_time_played_seconds,
        updated_at = now()
      returning cur.membership_id, (cur.xmax = 0) as inserted, cur.membership_type
    ), crawl as (
      insert into crawl.outbox (topic, payload)
      select 'queue.player_crawl', convert_to(json_build_object('membershipId', membership_id::text)::text, 'UTF8')
      from upserted where inserted or coalesce(membership_type, 0) = 0
      order by membership_id
      returning 1
    )
    select count(*)::int as n from crawl`)
  return row?.n ?? 0
}

// The batch's profile is newer than the stored one. A stored profile without profile_seen_at
// (written by someone else) counts as observed at the player's last_seen.
const NEWER_PROFILE = `(excluded.profile_seen_at is not null and (
  coalesce(cur.profile_seen_at, case when coalesce(cur.icon_path, cur.display_name, cur.bungie_global_display_name,
    cur.bungie_global_display_name_code) is not null then cur.last_seen end) is null
  or excluded.profile_seen_at > coalesce(cur.profile_seen_at, cur.last_seen)))`

/**
 * Inserts participants, characters and weapons of the new instances; queues character fills.
 * Participant rows get their final first-clear flags (rh_stg1_first_clear_move, filled before)
 * and sherpas right away: a new instance's sherpas depend only on its own rows (first-clears.ts),
 * and writing them once is much cheaper than updating the fresh rows. The non-zero sherpas go
 * to rh_stg1_sherpa_delta, from which applySherpaDeltas adds them to player_stats and player.
 */
export async function insertParticipants(tx: AnyTx): Promise<number> {
  await tx.unsafe(`
    with rows as (
      select sp.instance_id, sp.membership_id, sp.completed, sp.time_played_seconds, n.activity_id,
             (m.new_instance_id is not null) as is_first_clear
      from rh_stg1_player sp join rh_stg1_new n using (instance_id)
      left join rh_stg1_first_clear_move m on m.membership_id = sp.membership_id and m.new_instance_id = sp.instance_id
    ), calc as (
      select r.*, case when r.completed and not r.is_first_clear
                       then (count(*) filter (where r.is_first_clear) over (partition by r.instance_id))::int
                       else 0 end as sherpas
      from rows r
    ), inserted as (
      insert into core.instance_player (instance_id, membership_id, completed, time_played_seconds, sherpas, is_first_clear)
      select instance_id, membership_id, completed, time_played_seconds, sherpas, is_first_clear
      from calc order by instance_id, membership_id
    )
    insert into rh_stg1_sherpa_delta (instance_id, membership_id, activity_id, delta)
    select instance_id, membership_id, activity_id, sherpas from calc where sherpas <> 0`)
  await tx.unsafe(`
    insert into extended.instance_character (instance_id, membership_id, character_id, class_hash, emblem_hash,
      completed, score, kills, assists, deaths, precision_kills, super_kills, grenade_kills, melee_kills,
      time_played_seconds, start_seconds)
    select c.instance_id, c.membership_id, c.character_id, c.class_hash, c.emblem_hash, c.completed, c.score,
      c.kills, c.assists, c.deaths, c.precision_kills, c.super_kills, c.grenade_kills, c.melee_kills,
      c.time_played_seconds, c.start_seconds
    from rh_stg1_character c join rh_stg1_new using (instance_id)
    order by c.instance_id, c.membership_id, c.character_id`)
  await tx.unsafe(`
    insert into extended.instance_character_weapon (instance_id, membership_id, character_id, weapon_hash, kills, precision_kills)
    select w.instance_id, w.membership_id, w.character_id, w.weapon_hash, w.kills, w.precision_kills
    from rh_stg1_weapon w join rh_stg1_new using (instance_id)
    order by w.instance_id, w.membership_id, w.character_id, w.weapon_hash`)
  // Every character with a missing class or emblem, across all players of the batch.
  const [row] = await tx.unsafe<{ n: number }[]>(`
    with fill as (
      insert into crawl.outbox (topic, payload)
      select 'queue.character_fill', convert_to(json_build_object('membershipId', c.membership_id::text,
             'characterId', c.character_id::text, 'instanceId', c.instance_id::text)::text, 'UTF8')
      from rh_stg1_character c join rh_stg1_new using (instance_id)
      where c.class_hash is null or c.emblem_hash is null
      order by c.instance_id, c.membership_id, c.character_id
      returning 1
    )
    select count(*)::int as n from fill`)
  return row?.n ?? 0
}

/** Orders decimal id strings numerically. */
export function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/**
 * nemesis's reads and writes. Ids travel as text (decimal strings); the decisions are made by the
 * pure functions of lib/cheat/nemesis, never in SQL, except the guards that keep a write safe
 * against a concurrent change (a level is only ever raised, never for a whitelisted player).
 */
import type { CascadeCandidate } from "../../lib/cheat/nemesis/cascade.ts"
import { MIN_FLAGS_FOR_REVIEW, type PlayerFlag } from "../../lib/cheat/nemesis/flag-class.ts"
import type { AnySql } from "../../lib/database/sql-types.ts"

/** Players with at least 3 distinct flagged runs since `since` that the job may still raise. */
export async function selectReviewCandidates(sql: AnySql, since: Date): Promise<string[]> {
  const rows = await sql.unsafe(
    `select fp.membership_id::text as id
     from flagging.flag_instance_player fp
     join core.instance i on i.instance_id = fp.instance_id
     join core.player p on p.membership_id = fp.membership_id
     where fp.flagged_at >= $1 and not i.is_whitelisted and not p.is_whitelisted and p.cheat_level < 4
     group by fp.membership_id
     having count(distinct fp.instance_id) >= $2
     order by fp.membership_id`,
    [since, MIN_FLAGS_FOR_REVIEW],
  )
  return rows.map((r) => r.id as string)
}

/** Every flag of these players since `since`, with the instance flag of the same version. */
export async function selectPlayerFlags(sql: AnySql, ids: readonly string[], since: Date): Promise<Map<string, PlayerFlag[]>> {
  const rows = await sql.unsafe(
    `select fp.membership_id::text as m, fp.instance_id::text as i, fp.cheat_probability::float8 as pp,
            fi.cheat_probability::float8 as ip, fp.flagged_at, inst.is_whitelisted as w
     from flagging.flag_instance_player fp
     join core.instance inst on inst.instance_id = fp.instance_id
     left join flagging.flag_instance fi on fi.instance_id = fp.instance_id and fi.cheat_check_version = fp.cheat_check_version
     where fp.membership_id = any($1::bigint[]) and fp.flagged_at >= $2`,
    [[...ids], since],
  )
  const out = new Map<string, PlayerFlag[]>()
  for (const r of rows) {
    const list = out.get(r.m) ?? []
    list.push({
      instanceId: BigInt(r.i),
      playerProbability: Number(r.pp),
      instanceProbability: r.ip === null ? null : Number(r.ip),
      flaggedAt: new Date(r.flagged_at),
      instanceWhitelisted: r.w === true,
    })
    out.set(r.m, list)
  }
  return out
}

export interface PlayerRow {
  membershipId: string
  membershipType: number | null
  firstSeen: Date
  lastSeen: Date
  clears: number
  cheatLevel: number
  whitelisted: boolean
  isPrivate: boolean
  /** Completed runs since `since` the player finished, and how many were lowman (≤ 3), flawless, solo. */
  recentClears: number
  recentLowman: number
  recentFlawless: number
  recentSolo: number
}

export async function selectPlayers(sql: AnySql, ids: readonly string[], since: Date): Promise<PlayerRow[]> {
  const rows = await sql.unsafe(
    `select p.membership_id::text as id, p.membership_type, p.first_seen, p.last_seen, p.clears, p.cheat_level,
            p.is_whitelisted, p.is_private, r.n, r.lowman, r.flawless, r.solo
     from core.player p
     left join lateral (
       select count(*)::int as n,
              count(*) filter (where i.player_count <= 3)::int as lowman,
              count(*) filter (where i.flawless)::int as flawless,
              count(*) filter (where i.player_count = 1)::int as solo
       from core.instance_player ip join core.instance i on i.instance_id = ip.instance_id
       where ip.membership_id = p.membership_id and ip.completed and i.completed and i.date_completed >= $2
     ) r on true
     where p.membership_id = any($1::bigint[])
     order by p.membership_id`,
    [[...ids], since],
  )
  return rows.map((r) => ({
    membershipId: r.id,
    membershipType: r.membership_type === null ? null : Number(r.membership_type),
    firstSeen: new Date(r.first_seen),
    lastSeen: new Date(r.last_seen),
    clears: Number(r.clears),
    cheatLevel: Number(r.cheat_level),
    whitelisted: r.is_whitelisted === true,
    isPrivate: r.is_private === true,
    recentClears: Number(r.n ?? 0),
    recentLowman: Number(r.lowman ?? 0),
    recentFlawless: Number(r.flawless ?? 0),
    recentSolo: Number(r.solo ?? 0),
  }))
}

/** Raises a level; the guard makes it a no-op when it is already that high or the player got whitelisted. */
export async function raiseCheatLevel(sql: AnySql, membershipId: string, level: number): Promise<boolean> {
  const rows = await sql.unsafe(
    `update core.player set cheat_level = $2, updated_at = now()
     where membership_id = $1::bigint and cheat_level < $2 and not is_whitelisted
     returning membership_id`,
    [membershipId, level],
  )
  return rows.length > 0
}

/**
 * Runs completed since `since` by players at level ≥ 3 seen since then, with no flag row (instance
 * or player) at `version`: the ones the current check has not judged yet.
 */
export async function selectRecheckInstances(
  sql: AnySql,
  since: Date,
  version: string,
  /** Players to treat as level ≥ 3 whatever their stored level (a dry run's would-be raises). */
  alsoPlayers: readonly string[] = [],
): Promise<string[]> {
  const rows = await sql.unsafe(
    `select distinct ip.instance_id::text as id
     from core.player p
     join core.instance_player ip on ip.membership_id = p.membership_id
     join core.instance i on i.instance_id = ip.instance_id
     where (p.cheat_level >= 3 or p.membership_id = any($3::bigint[])) and p.last_seen >= $1 and i.date_completed >= $1
       and not exists (select 1 from flagging.flag_instance f where f.instance_id = ip.instance_id and f.cheat_check_version = $2)
       and not exists (select 1 from flagging.flag_instance_player f where f.instance_id = ip.instance_id and f.cheat_check_version = $2)
     order by 1`,
    [since, version, [...alsoPlayers]],
  )
  return rows.map((r) => r.id as string)
}

export interface CascadeSourceRow {
  membershipId: string
  cheatLevel: number
  whitelisted: boolean
  lastSeen: Date
}

/** Level-4 players (the pure isCascadeSource decides which of them cascade). */
export async function selectLevelFourPlayers(sql: AnySql): Promise<CascadeSourceRow[]> {
  const rows = await sql.unsafe(
    `select membership_id::text as id, cheat_level, is_whitelisted, last_seen from core.player
     where cheat_level >= 4 order by membership_id`,
  )
  return rows.map((r) => ({
    membershipId: r.id,
    cheatLevel: Number(r.cheat_level),
    whitelisted: r.is_whitelisted === true,
    lastSeen: new Date(r.last_seen),
  }))
}

export interface CascadeRun extends CascadeCandidate {
  instanceId: string
  /** The newest flag's version (instance flag first), written with the blacklist row. */
  version: string | null
}

/** The player's runs not yet blacklisted, each with its newest instance and player flags. */
export async function selectCascadeRuns(sql: AnySql, membershipId: string): Promise<CascadeRun[]> {
  const rows = await sql.unsafe(
    `select ip.instance_id::text as id, i.player_count, ip.time_played_seconds, i.duration, ip.completed, i.date_completed,
            i.is_whitelisted, fi.p as ip_prob, fi.v as ip_version, fp.p as pp_prob, fp.v as pp_version,
            (exists (select 1 from leaderboard.team_activity_version_leaderboard t where t.instance_id = ip.instance_id)
             or exists (select 1 from leaderboard.world_first_contest_leaderboard w where w.instance_id = ip.instance_id)
             or exists (select 1 from leaderboard.team_pantheon_custom_race_leaderboard c where c.instance_id = ip.instance_id))
              as on_leaderboard
     from core.instance_player ip
     join core.instance i on i.instance_id = ip.instance_id
     left join lateral (
       select f.cheat_probability::float8 as p, f.cheat_check_version as v from flagging.flag_instance f
       where f.instance_id = ip.instance_id order by f.flagged_at desc limit 1) fi on true
     left join lateral (
       select f.cheat_probability::float8 as p, f.cheat_check_version as v from flagging.flag_instance_player f
       where f.instance_id = ip.instance_id and f.membership_id = ip.membership_id order by f.flagged_at desc limit 1) fp on true
     where ip.membership_id = $1::bigint
       and not exists (select 1 from flagging.blacklist_instance b where b.instance_id = ip.instance_id)
     order by ip.instance_id`,
    [membershipId],
  )
  return rows.map((r) => ({
    instanceId: r.id,
    version: r.ip_version ?? r.pp_version ?? null,
    instanceProbability: r.ip_prob === null ? null : Number(r.ip_prob),
    playerProbability: r.pp_prob === null ? null : Number(r.pp_prob),
    playerCount: Number(r.player_count),
    timePlayedSeconds: Number(r.time_played_seconds),
    durationSeconds: Number(r.duration),
    playerFinished: r.completed === true,
    dateCompleted: new Date(r.date_completed),
    onLeaderboard: r.on_leaderboard === true,
    instanceWhitelisted: r.is_whitelisted === true,
  }))
}

export const CASCADE_PLAYER_REASON = "Automatic blacklist due to player standing"

/** Blacklists the runs as a cascade from this player; rows already there (any source) stay. Returns the ids inserted. */
export async function insertCascadeBlacklist(
  sql: AnySql,
  membershipId: string,
  reason: string,
  runs: readonly { instanceId: string; version: string | null }[],
): Promise<string[]> {
  if (runs.length === 0) return []
  return (await sql.begin(async (tx) => {
    const inserted = await tx.unsafe(
      `insert into flagging.blacklist_instance (instance_id, report_source, cheat_check_version, reason)
       select i, 'BlacklistedPlayerCascade', v, $3 from unnest($1::bigint[], $2::text[]) as t(i, v)
       on conflict (instance_id) do nothing
       returning instance_id::text as id`,
      [runs.map((r) => r.instanceId), runs.map((r) => r.version), reason],
    )
    const ids = inserted.map((r) => r.id as string)
    if (ids.length > 0) {
      await tx.unsafe(
        `insert into flagging.blacklist_instance_player (instance_id, membership_id, reason)
         select i, $2::bigint, $3 from unnest($1::bigint[]) as t(i)
         on conflict (instance_id, membership_id) do nothing`,
        [ids, membershipId, CASCADE_PLAYER_REASON],
      )
    }
    return ids
  })) as string[]
}

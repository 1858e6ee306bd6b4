/**
 * Reads stored instances back as ProcessedInstances (with the writer-decided first clears and
 * sherpas): what the ClickHouse relay delivers, and what a cheat check or an API can start from.
 * Four set-based queries for any number of ids; ids as decimal strings throughout.
 */
import type { ProcessedCharacter, ProcessedInstance, ProcessedPlayer } from "../pgcr/types.ts"
import type { AnySql } from "./sql-types.ts"

export interface LoadedInstance {
  instance: ProcessedInstance
  activityId: number
  versionId: number
}

/** Loads the given instances; ids that are not stored are simply absent from the result. */
export async function loadProcessedInstances(sql: AnySql, instanceIds: readonly string[]): Promise<LoadedInstance[]> {
  if (instanceIds.length === 0) return []
  const ids = [...new Set(instanceIds)]
  const [instances, players, characters, weapons] = await Promise.all([
    sql.unsafe(
      `select i.instance_id::text as id, i.hash::text as hash, i.completed, i.flawless, i.fresh, i.player_count,
              i.date_started, i.date_completed, i.duration, i.platform_type, i.score,
              array(select unnest(i.skull_hashes)::text) as skulls, av.activity_id, av.version_id
       from core.instance i join definitions.activity_version av on av.hash = i.hash
       where i.instance_id = any($1::bigint[]) order by i.instance_id`,
      [ids],
    ),
    sql.unsafe(
      `select ip.instance_id::text as iid, ip.membership_id::text as mid, ip.completed, ip.time_played_seconds,
              ip.sherpas, ip.is_first_clear, p.membership_type, p.first_seen, p.last_seen, p.icon_path,
              p.display_name, p.bungie_global_display_name, p.bungie_global_display_name_code
       from core.instance_player ip join core.player p on p.membership_id = ip.membership_id
       where ip.instance_id = any($1::bigint[]) order by ip.instance_id, ip.membership_id`,
      [ids],
    ),
    sql.unsafe(
      `select instance_id::text as iid, membership_id::text as mid, character_id::text as cid,
              class_hash::text as class_hash, emblem_hash::text as emblem_hash, completed, score, kills, deaths,
              assists, precision_kills, super_kills, grenade_kills, melee_kills, start_seconds, time_played_seconds
       from extended.instance_character where instance_id = any($1::bigint[])
       order by instance_id, membership_id, character_id`,
      [ids],
    ),
    sql.unsafe(
      `select instance_id::text as iid, membership_id::text as mid, character_id::text as cid,
              weapon_hash::text as weapon_hash, kills, precision_kills
       from extended.instance_character_weapon where instance_id = any($1::bigint[])
       order by instance_id, membership_id, character_id, weapon_hash`,
      [ids],
    ),
  ])
  const characterByKey = new Map<string, ProcessedCharacter>()
  const charactersByPlayer = groupBy(
    characters,
    (c) => `${c.iid}:${c.mid}`,
    (c) => {
      const character: ProcessedCharacter = {
        characterId: c.cid,
        classHash: toHash(c.class_hash),
        emblemHash: toHash(c.emblem_hash),
        completed: c.completed,
        score: c.score,
        kills: c.kills,
        deaths: c.deaths,
        assists: c.assists,
        precisionKills: c.precision_kills,
        superKills: c.super_kills,
        grenadeKills: c.grenade_kills,
        meleeKills: c.melee_kills,
        startSeconds: c.start_seconds,
        timePlayedSeconds: c.time_played_seconds,
        weapons: [],
      }
      characterByKey.set(`${c.iid}:${c.mid}:${c.cid}`, character)
      return character
    },
  )
  for (const w of weapons) {
    characterByKey.get(`${w.iid}:${w.mid}:${w.cid}`)?.weapons.push({
      weaponHash: Number(w.weapon_hash),
      kills: w.kills,
      precisionKills: w.precision_kills,
    })
  }
  const playersByInstance = groupBy(
    players,
    (p) => p.iid as string,
    (p): ProcessedPlayer => ({
      finished: p.completed,
      timePlayedSeconds: p.time_played_seconds,
      isFirstClear: p.is_first_clear,
      sherpas: p.sherpas,
      player: {
        membershipId: p.mid,
        membershipType: p.membership_type ?? null,
        firstSeen: toIso(p.first_seen),
        lastSeen: toIso(p.last_seen),
        iconPath: p.icon_path,
        displayName: p.display_name,
        bungieGlobalDisplayName: p.bungie_global_display_name,
        bungieGlobalDisplayNameCode: p.bungie_global_display_name_code,
      },
      characters: charactersByPlayer.get(`${p.iid}:${p.mid}`) ?? [],
    }),
  )
  return instances.map((i) => ({
    activityId: i.activity_id,
    versionId: i.version_id,
    instance: {
      instanceId: i.id,
      hash: Number(i.hash),
      completed: i.completed,
      flawless: i.flawless,
      fresh: i.fresh,
      playerCount: i.player_count,
      dateStarted: toIso(i.date_started),
      dateCompleted: toIso(i.date_completed),
      durationSeconds: i.duration,
      membershipType: i.platform_type,
      score: i.score,
      skullHashes: (i.skulls as string[]).map(Number),
      players: playersByInstance.get(i.id) ?? [],
    },
  }))
}

function groupBy<R, T>(rows: readonly R[], key: (row: R) => string, map: (row: R) => T): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const row of rows) {
    const k = key(row)
    const list = out.get(k)
    if (list) list.push(map(row))
    else out.set(k, [map(row)])
  }
  return out
}

function toHash(value: string | null): number | null {
  return value === null ? null : Number(value)
}

function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString()
}

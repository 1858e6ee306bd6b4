/**
 * Loads stored instances as cheat-check input (lib/cheat CheatInstance): the instance, its
 * activity and version, days since the activity's release, season, players, characters and
 * weapons with their definitions, in one query that builds one JSON document per instance.
 * Read-only. Ids travel as text and become bigint here; missing rows (no characters, no weapons,
 * undefined weapons) become empty lists and nulls, never errors.
 */
import type { CheatCharacter, CheatInstance, CheatPlayer, CheatWeapon, WeaponAmmoType, WeaponElement, WeaponSlot } from "../cheat/types.ts"
import type { AnySql } from "./sql-types.ts"

const CHEAT_INPUT_QUERY = `
select jsonb_build_object(
  'instanceId', i.instance_id::text,
  'activityId', av.activity_id,
  'versionId', av.version_id,
  'completed', i.completed,
  'fresh', i.fresh,
  'flawless', i.flawless,
  'playerCount', i.player_count,
  'dateStartedMs', extract(epoch from i.date_started) * 1000,
  'dateCompletedMs', extract(epoch from i.date_completed) * 1000,
  'durationSeconds', i.duration,
  'daysSinceRelease', extract(epoch from (i.date_completed - ad.release_date)) / 86400.0,
  'seasonId', i.season_id,
  'skullHashes', coalesce((select jsonb_agg(s::text order by s) from unnest(i.skull_hashes) s), '[]'::jsonb),
  'players', coalesce((
    select jsonb_agg(jsonb_build_object(
      'membershipId', ip.membership_id::text,
      'finished', ip.completed,
      'timePlayedSeconds', ip.time_played_seconds,
      'isFirstClear', ip.is_first_clear,
      'characters', coalesce((
        select jsonb_agg(jsonb_build_object(
          'characterId', ic.character_id::text,
          'classHash', ic.class_hash::text,
          'completed', ic.completed,
          'kills', ic.kills,
          'deaths', ic.deaths,
          'precisionKills', ic.precision_kills,
          'superKills', ic.super_kills,
          'grenadeKills', ic.grenade_kills,
          'meleeKills', ic.melee_kills,
          'startSeconds', ic.start_seconds,
          'timePlayedSeconds', ic.time_played_seconds,
          'weapons', coalesce((
            select jsonb_agg(jsonb_build_object(
              'weaponHash', w.weapon_hash::text,
              'kills', w.kills,
              'precisionKills', w.precision_kills,
              'slot', wd.slot,
              'ammoType', wd.ammo_type,
              'element', wd.element
            ) order by w.weapon_hash)
            from extended.instance_character_weapon w
            left join definitions.weapon_definition wd on wd.hash = w.weapon_hash
            where w.instance_id = ic.instance_id and w.membership_id = ic.membership_id and w.character_id = ic.character_id
          ), '[]'::jsonb)
        ) order by ic.character_id)
        from extended.instance_character ic
        where ic.instance_id = ip.instance_id and ic.membership_id = ip.membership_id
      ), '[]'::jsonb)
    ) order by ip.membership_id)
    from core.instance_player ip
    where ip.instance_id = i.instance_id
  ), '[]'::jsonb)
) as doc
from core.instance i
join definitions.activity_version av on av.hash = i.hash
join definitions.activity_definition ad on ad.id = av.activity_id
where i.instance_id = any($1::bigint[])
order by i.instance_id`

/** The instance as the cheat check needs it, or null when it is not stored. */
export async function loadCheatInstance(sql: AnySql, instanceId: bigint): Promise<CheatInstance | null> {
  const [instance] = await loadCheatInstances(sql, [instanceId])
  return instance ?? null
}

/** Several instances in the same single query; ids that are not stored are absent. Ascending by id. */
export async function loadCheatInstances(sql: AnySql, instanceIds: readonly bigint[]): Promise<CheatInstance[]> {
  if (instanceIds.length === 0) return []
  const ids = [...new Set(instanceIds.map((id) => id.toString()))]
  // Prepared: planning this query costs more than running it for one instance (bench `cheat`: about 2× the loads/s).
  const rows = await sql.unsafe(CHEAT_INPUT_QUERY, [ids], { prepare: true })
  return rows.map((row) => decodeInstance(asRecord(row.doc)))
}

type Json = Record<string, unknown>

function decodeInstance(doc: Json): CheatInstance {
  return {
    instanceId: toId(doc.instanceId),
    activityId: toInt(doc.activityId),
    versionId: toInt(doc.versionId),
    completed: doc.completed === true,
    fresh: toOptionalBoolean(doc.fresh),
    flawless: toOptionalBoolean(doc.flawless),
    playerCount: toInt(doc.playerCount),
    dateStarted: new Date(toNumber(doc.dateStartedMs)),
    dateCompleted: new Date(toNumber(doc.dateCompletedMs)),
    durationSeconds: toInt(doc.durationSeconds),
    daysSinceRelease: toNumber(doc.daysSinceRelease),
    seasonId: doc.seasonId === null || doc.seasonId === undefined ? null : toInt(doc.seasonId),
    skullHashes: asArray(doc.skullHashes).map(toNumber),
    players: asArray(doc.players).map((p) => decodePlayer(asRecord(p))),
  }
}

function decodePlayer(doc: Json): CheatPlayer {
  return {
    membershipId: toId(doc.membershipId),
    finished: doc.finished === true,
    timePlayedSeconds: toInt(doc.timePlayedSeconds),
    isFirstClear: doc.isFirstClear === true,
    characters: asArray(doc.characters).map((c) => decodeCharacter(asRecord(c))),
  }
}

function decodeCharacter(doc: Json): CheatCharacter {
  return {
    characterId: toId(doc.characterId),
    classHash: doc.classHash === null || doc.classHash === undefined ? null : toNumber(doc.classHash),
    completed: doc.completed === true,
    kills: toInt(doc.kills),
    deaths: toInt(doc.deaths),
    precisionKills: toInt(doc.precisionKills),
    superKills: toInt(doc.superKills),
    grenadeKills: toInt(doc.grenadeKills),
    meleeKills: toInt(doc.meleeKills),
    startSeconds: toInt(doc.startSeconds),
    timePlayedSeconds: toInt(doc.timePlayedSeconds),
    weapons: asArray(doc.weapons).map((w) => decodeWeapon(asRecord(w))),
  }
}

function decodeWeapon(doc: Json): CheatWeapon {
  return {
    weaponHash: toNumber(doc.weaponHash),
    kills: toInt(doc.kills),
    precisionKills: toInt(doc.precisionKills),
    slot: (doc.slot as WeaponSlot | null) ?? null,
    ammoType: (doc.ammoType as WeaponAmmoType | null) ?? null,
    element: (doc.element as WeaponElement | null) ?? null,
  }
}

function asRecord(value: unknown): Json {
  if (typeof value === "string") return asRecord(JSON.parse(value))
  return value !== null && typeof value === "object" ? (value as Json) : {}
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function toNumber(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value)
  return Number.isFinite(n) ? n : 0
}

function toInt(value: unknown): number {
  return Math.trunc(toNumber(value))
}

function toOptionalBoolean(value: unknown): boolean | null {
  return typeof value === "boolean" ? value : null
}

/** Decimal text of a bigint column (never through a JS number). */
function toId(value: unknown): bigint {
  return typeof value === "string" && /^-?\d+$/.test(value) ? BigInt(value) : 0n
}

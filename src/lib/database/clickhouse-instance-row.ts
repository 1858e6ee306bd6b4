/**
 * Maps a ProcessedInstance to the JSONEachRow row of the ClickHouse `instance` table
 * (clickhouse/migrations/0001_instance.sql). Pure, so the ClickHouse writer and the schema
 * tests share one mapping.
 *
 * 64-bit ids stay decimal strings (ClickHouse parses quoted Int64 in JSONEachRow), so no id
 * passes through a JS number. Nullable booleans become 0/1/2 (2 = unknown), and nullable hashes
 * become 0, the value Bungie sends for "not revealed".
 */
import type { ProcessedCharacter, ProcessedInstance, ProcessedPlayer, ProcessedWeapon } from "../pgcr/types.ts"

export interface ClickhouseWeaponRow {
  weapon_hash: number
  kills: number
  precision_kills: number
}

export interface ClickhouseCharacterRow {
  character_id: string
  class_hash: number
  emblem_hash: number
  completed: 0 | 1
  score: number
  kills: number
  deaths: number
  assists: number
  precision_kills: number
  super_kills: number
  grenade_kills: number
  melee_kills: number
  start_seconds: number
  time_played_seconds: number
  weapons: ClickhouseWeaponRow[]
}

export interface ClickhousePlayerRow {
  membership_id: string
  membership_type: number
  completed: 0 | 1
  time_played_seconds: number
  sherpas: number
  is_first_clear: 0 | 1
  characters: ClickhouseCharacterRow[]
}

export interface ClickhouseInstanceRow {
  instance_id: string
  hash: number
  activity_id: number
  version_id: number
  completed: 0 | 1
  /** 0 false, 1 true, 2 unknown. */
  fresh: 0 | 1 | 2
  flawless: 0 | 1 | 2
  player_count: number
  /** "YYYY-MM-DD hh:mm:ss" in UTC (the column is DateTime('UTC')). */
  date_started: string
  date_completed: string
  platform_type: number
  duration: number
  score: number
  skull_hashes: number[]
  players: ClickhousePlayerRow[]
}

export function toClickhouseInstanceRow(instance: ProcessedInstance, activityId: number, versionId: number): ClickhouseInstanceRow {
  return {
    instance_id: instance.instanceId,
    hash: instance.hash,
    activity_id: activityId,
    version_id: versionId,
    completed: toFlag(instance.completed),
    fresh: toTriState(instance.fresh),
    flawless: toTriState(instance.flawless),
    player_count: instance.playerCount,
    date_started: toClickhouseDateTime(instance.dateStarted),
    date_completed: toClickhouseDateTime(instance.dateCompleted),
    platform_type: instance.membershipType,
    duration: instance.durationSeconds,
    score: instance.score,
    skull_hashes: [...instance.skullHashes],
    players: instance.players.map(toPlayerRow),
  }
}

/** ISO-8601 (any offset) -> "YYYY-MM-DD hh:mm:ss" UTC, whole seconds as DateTime stores them. */
export function toClickhouseDateTime(iso: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) throw new Error(`invalid ISO-8601 date: ${JSON.stringify(iso)}`)
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ")
}

function toPlayerRow(player: ProcessedPlayer): ClickhousePlayerRow {
  return {
    membership_id: player.player.membershipId,
    membership_type: player.player.membershipType ?? 0,
    completed: toFlag(player.finished),
    time_played_seconds: player.timePlayedSeconds,
    sherpas: player.sherpas,
    is_first_clear: toFlag(player.isFirstClear),
    characters: player.characters.map(toCharacterRow),
  }
}

function toCharacterRow(character: ProcessedCharacter): ClickhouseCharacterRow {
  return {
    character_id: character.characterId,
    class_hash: character.classHash ?? 0,
    emblem_hash: character.emblemHash ?? 0,
    completed: toFlag(character.completed),
    score: character.score,
    kills: character.kills,
    deaths: character.deaths,
    assists: character.assists,
    precision_kills: character.precisionKills,
    super_kills: character.superKills,
    grenade_kills: character.grenadeKills,
    melee_kills: character.meleeKills,
    start_seconds: character.startSeconds,
    time_played_seconds: character.timePlayedSeconds,
    weapons: character.weapons.map(toWeaponRow),
  }
}

function toWeaponRow(weapon: ProcessedWeapon): ClickhouseWeaponRow {
  return { weapon_hash: weapon.weaponHash, kills: weapon.kills, precision_kills: weapon.precisionKills }
}

function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0
}

function toTriState(value: boolean | null): 0 | 1 | 2 {
  return value === null ? 2 : value ? 1 : 0
}

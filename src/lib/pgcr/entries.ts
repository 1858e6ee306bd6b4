/**
 * One PGCR entry (one character of one player) read into typed fields. Entries are characters,
 * not players: a player who swapped characters has several (bungie.md §7).
 */

import {
  fail,
  INT32_MAX,
  type JsonObject,
  readHash,
  readId,
  readInt,
  readObject,
  readOptionalArray,
  readOptionalHash,
  readOptionalInt,
  readOptionalObject,
  readOptionalString,
  readStat,
} from "./fields.ts"
import type { ProcessedWeapon } from "./types.ts"

export interface EntryProfile {
  /** 0 = not revealed (private or anonymous entry). */
  membershipType: number
  displayName: string | undefined
  iconPath: string | undefined
  bungieGlobalDisplayName: string | undefined
  bungieGlobalDisplayNameCode: number | undefined
}

export interface ParsedEntry {
  index: number
  membershipId: string
  profile: EntryProfile
  characterId: string
  /** 0 = hidden by Bungie. */
  classHash: number
  emblemHash: number
  completed: number
  completionReason: number
  playerCount: number
  activityDurationSeconds: number
  teamScore: number
  score: number
  kills: number
  deaths: number
  assists: number
  startSeconds: number
  timePlayedSeconds: number
  /** False when the entry had no `extended` block at all (validation decides what that means). */
  hasExtended: boolean
  precisionKills: number
  superKills: number
  grenadeKills: number
  meleeKills: number
  weapons: ProcessedWeapon[]
}

export function readEntries(entries: readonly unknown[]): ParsedEntry[] {
  return entries.map((entry, index) => readEntry(entry, index))
}

function readEntry(raw: unknown, index: number): ParsedEntry {
  const path = `entries[${index}]`
  const entry = readObject(raw, path)
  const player = readObject(entry.player, `${path}.player`)
  const user = readObject(player.destinyUserInfo, `${path}.player.destinyUserInfo`)
  const values = readObject(entry.values, `${path}.values`)
  const vPath = `${path}.values`
  const extended = readOptionalObject(entry.extended, `${path}.extended`)
  const xValues = extended ? (readOptionalObject(extended.values, `${path}.extended.values`) ?? {}) : {}
  const xPath = `${path}.extended.values`
  return {
    index,
    membershipId: readId(user.membershipId, `${path}.player.destinyUserInfo.membershipId`),
    profile: readProfile(user, `${path}.player.destinyUserInfo`),
    characterId: readId(entry.characterId, `${path}.characterId`),
    classHash: readOptionalHash(player.classHash, `${path}.player.classHash`) ?? 0,
    emblemHash: readOptionalHash(player.emblemHash, `${path}.player.emblemHash`) ?? 0,
    completed: readStat(values, "completed", vPath),
    completionReason: readStat(values, "completionReason", vPath),
    playerCount: readStat(values, "playerCount", vPath),
    activityDurationSeconds: readNonNegativeStat(values, "activityDurationSeconds", vPath),
    teamScore: readStat(values, "teamScore", vPath),
    score: readStat(values, "score", vPath),
    kills: readStat(values, "kills", vPath),
    deaths: readStat(values, "deaths", vPath),
    assists: readStat(values, "assists", vPath),
    startSeconds: readNonNegativeStat(values, "startSeconds", vPath),
    timePlayedSeconds: readNonNegativeStat(values, "timePlayedSeconds", vPath),
    hasExtended: extended !== undefined,
    precisionKills: readStat(xValues, "precisionKills", xPath),
    superKills: readStat(xValues, "weaponKillsSuper", xPath),
    grenadeKills: readStat(xValues, "weaponKillsGrenade", xPath),
    meleeKills: readStat(xValues, "weaponKillsMelee", xPath),
    weapons: extended ? readWeapons(extended.weapons, `${path}.extended.weapons`) : [],
  }
}

/** Seconds stats: negative values are impossible and would corrupt interval arithmetic. */
export function readNonNegativeStat(values: JsonObject, name: string, path: string): number {
  const value = readStat(values, name, path)
  if (value < 0) fail(`${path}.${name}.basic.value`, `must not be negative, got ${value}`)
  return value
}

function readProfile(user: JsonObject, path: string): EntryProfile {
  return {
    membershipType: readOptionalInt(user.membershipType, `${path}.membershipType`, 0, INT32_MAX) ?? 0,
    displayName: readOptionalString(user.displayName, `${path}.displayName`),
    iconPath: readOptionalString(user.iconPath, `${path}.iconPath`),
    bungieGlobalDisplayName: readOptionalString(user.bungieGlobalDisplayName, `${path}.bungieGlobalDisplayName`),
    bungieGlobalDisplayNameCode: readOptionalInt(user.bungieGlobalDisplayNameCode, `${path}.bungieGlobalDisplayNameCode`, 0, 9999),
  }
}

/**
 * Weapons by `referenceId` (the weapon's item hash). A hash listed twice for one character is
 * merged by summing, because (character, weapon) is a primary key downstream; the original would
 * have failed the whole insert.
 */
function readWeapons(raw: unknown, path: string): ProcessedWeapon[] {
  const list = readOptionalArray(raw, path)
  if (!list) return []
  const byHash = new Map<number, ProcessedWeapon>()
  list.forEach((item, i) => {
    const wPath = `${path}[${i}]`
    const weapon = readObject(item, wPath)
    const weaponHash = readHash(weapon.referenceId, `${wPath}.referenceId`)
    const values = readOptionalObject(weapon.values, `${wPath}.values`) ?? {}
    const kills = readStat(values, "uniqueWeaponKills", `${wPath}.values`)
    const precisionKills = readStat(values, "uniqueWeaponPrecisionKills", `${wPath}.values`)
    const seen = byHash.get(weaponHash)
    if (!seen) {
      byHash.set(weaponHash, { weaponHash, kills, precisionKills })
      return
    }
    seen.kills = readInt(seen.kills + kills, `${wPath}.values.uniqueWeaponKills (summed)`)
    seen.precisionKills = readInt(seen.precisionKills + precisionKills, `${wPath}.values.uniqueWeaponPrecisionKills (summed)`)
  })
  return [...byHash.values()]
}

/**
 * Flattens ProcessedInstances into staging rows (pure). Column order matches the staging tables
 * in instance-store-staging.ts. Defensive de-duplication: one row per instance, per
 * (instance, player), per (instance, player, character) and per weapon hash, first one wins,
 * so a malformed DTO can never violate a primary key and fail the whole batch.
 */
import type { ProcessedInstance } from "../pgcr/types.ts"
import type { StoreItem } from "./instance-store-types.ts"
import { encodeRawPgcr } from "./raw-pgcr-codec.ts"
import type { StagingCell } from "./staging-json.ts"

export interface StagingRows {
  instances: StagingCell[][]
  players: StagingCell[][]
  characters: StagingCell[][]
  weapons: StagingCell[][]
}

export const INSTANCE_COLUMNS = [
  "instance_id",
  "hash",
  "activity_id",
  "score",
  "flawless",
  "completed",
  "fresh",
  "player_count",
  "date_started",
  "date_completed",
  "duration",
  "platform_type",
  "skull_hashes",
  "raw",
] as const
export const PLAYER_COLUMNS = [
  "instance_id",
  "membership_id",
  "membership_type",
  "first_seen",
  "last_seen",
  "icon_path",
  "display_name",
  "bungie_global_display_name",
  "bungie_global_display_name_code",
  "completed",
  "time_played_seconds",
] as const
export const CHARACTER_COLUMNS = [
  "instance_id",
  "membership_id",
  "character_id",
  "class_hash",
  "emblem_hash",
  "completed",
  "score",
  "kills",
  "assists",
  "deaths",
  "precision_kills",
  "super_kills",
  "grenade_kills",
  "melee_kills",
  "time_played_seconds",
  "start_seconds",
] as const
export const WEAPON_COLUMNS = ["instance_id", "membership_id", "character_id", "weapon_hash", "kills", "precision_kills"] as const

/** Splits items (already de-duplicated by instance id) into staging rows. */
export function buildStagingRows(items: readonly StoreItem[], activityByHash: ReadonlyMap<number, number>): StagingRows {
  const rows: StagingRows = { instances: [], players: [], characters: [], weapons: [] }
  for (const item of items) {
    const activityId = activityByHash.get(item.instance.hash)
    if (activityId === undefined) continue
    rows.instances.push(instanceRow(item.instance, activityId, encodeRawPgcr(item.raw)))
    appendParticipants(rows, item.instance)
  }
  return rows
}

function instanceRow(i: ProcessedInstance, activityId: number, raw: Uint8Array): StagingCell[] {
  return [
    i.instanceId,
    i.hash,
    activityId,
    i.score,
    i.flawless,
    i.completed,
    i.fresh,
    i.playerCount,
    i.dateStarted,
    i.dateCompleted,
    i.durationSeconds,
    i.membershipType,
    i.skullHashes,
    raw,
  ]
}

function appendParticipants(rows: StagingRows, instance: ProcessedInstance): void {
  const id = instance.instanceId
  const seenPlayers = new Set<string>()
  for (const p of instance.players) {
    const mid = p.player.membershipId
    if (seenPlayers.has(mid)) continue
    seenPlayers.add(mid)
    const prof = p.player
    rows.players.push([
      id,
      mid,
      prof.membershipType,
      prof.firstSeen,
      prof.lastSeen,
      prof.iconPath,
      prof.displayName,
      prof.bungieGlobalDisplayName,
      prof.bungieGlobalDisplayNameCode,
      p.finished,
      p.timePlayedSeconds,
    ])
    const seenCharacters = new Set<string>()
    for (const c of p.characters) {
      if (seenCharacters.has(c.characterId)) continue
      seenCharacters.add(c.characterId)
      rows.characters.push([
        id,
        mid,
        c.characterId,
        c.classHash,
        c.emblemHash,
        c.completed,
        c.score,
        c.kills,
        c.assists,
        c.deaths,
        c.precisionKills,
        c.superKills,
        c.grenadeKills,
        c.meleeKills,
        c.timePlayedSeconds,
        c.startSeconds,
      ])
      const seenWeapons = new Set<number>()
      for (const w of c.weapons) {
        if (seenWeapons.has(w.weaponHash)) continue
        seenWeapons.add(w.weaponHash)
        rows.weapons.push([id, mid, c.characterId, w.weaponHash, w.kills, w.precisionKills])
      }
    }
  }
}

/** Keeps the first item per instance id; returns the kept items and the repeated ids. */
export function dedupeItems(items: readonly StoreItem[]): { unique: StoreItem[]; repeated: string[] } {
  const seen = new Set<string>()
  const unique: StoreItem[] = []
  const repeated: string[] = []
  for (const item of items) {
    const id = item.instance.instanceId
    if (seen.has(id)) repeated.push(id)
    else {
      seen.add(id)
      unique.push(item)
    }
  }
  return { unique, repeated }
}

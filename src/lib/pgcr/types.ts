/**
 * The processed-instance DTO: what PGCR processing produces, what crosses the MessagePort to the
 * writers, and what the HTTP/queue side effects carry. Shape follows the original's processed
 * instance (research raidhub.md §4.3) with one deliberate difference: every 64-bit id is a
 * decimal string, never a JSON number, so no consumer can lose precision.
 */

/** Decimal string of a 64-bit id (instance, membership, character). */
export type IdString = string

export interface ProcessedWeapon {
  weaponHash: number
  kills: number
  precisionKills: number
}

export interface ProcessedCharacter {
  characterId: IdString
  /** null when Bungie sent 0 (private/anonymous entry): filled later by the character-fill worker. */
  classHash: number | null
  emblemHash: number | null
  completed: boolean
  score: number
  kills: number
  deaths: number
  assists: number
  precisionKills: number
  superKills: number
  grenadeKills: number
  meleeKills: number
  startSeconds: number
  timePlayedSeconds: number
  weapons: ProcessedWeapon[]
}

export interface ProcessedPlayerProfile {
  membershipId: IdString
  /** null when the PGCR did not reveal it (membershipType 0): a player crawl resolves it. */
  membershipType: number | null
  /** ISO-8601 UTC. */
  firstSeen: string
  lastSeen: string
  iconPath: string | null
  displayName: string | null
  bungieGlobalDisplayName: string | null
  /** Zero-padded to 4 digits, e.g. "0042". */
  bungieGlobalDisplayNameCode: string | null
}

export interface ProcessedPlayer {
  finished: boolean
  /** Union of the player's character intervals, overlaps counted once. */
  timePlayedSeconds: number
  /** Decided by the writer from completion order, never by arrival order; false/0 out of processing. */
  isFirstClear: boolean
  sherpas: number
  player: ProcessedPlayerProfile
  characters: ProcessedCharacter[]
}

export interface ProcessedInstance {
  instanceId: IdString
  hash: number
  completed: boolean
  /** null when the era makes freshness unknowable (see pgcr/fresh.ts). */
  flawless: boolean | null
  fresh: boolean | null
  /** Distinct membership ids, not entries. */
  playerCount: number
  /** ISO-8601 UTC. */
  dateStarted: string
  dateCompleted: string
  durationSeconds: number
  membershipType: number
  score: number
  /** Deduplicated, zeros dropped, ascending. */
  skullHashes: number[]
  players: ProcessedPlayer[]
}

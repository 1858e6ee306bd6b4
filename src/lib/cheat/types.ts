/**
 * Input and output of the per-instance cheat check. The input is a stored instance as the cheat
 * check needs it (loaded by lib/database/cheat-input-loader.ts, or built from a processed PGCR
 * by from-processed.ts); the check itself is a pure function of it (check-instance.ts).
 */

export type WeaponSlot = "Kinetic" | "Energy" | "Power"
export type WeaponAmmoType = "Primary" | "Special" | "Heavy"
export type WeaponElement = "Kinetic" | "Arc" | "Solar" | "Void" | "Stasis" | "Strand"

export interface CheatWeapon {
  weaponHash: number
  kills: number
  precisionKills: number
  /** From definitions.weapon_definition; null when the weapon is not (yet) defined. */
  slot: WeaponSlot | null
  ammoType: WeaponAmmoType | null
  element: WeaponElement | null
}

export interface CheatCharacter {
  characterId: bigint
  /** null when the PGCR hid it. */
  classHash: number | null
  completed: boolean
  kills: number
  deaths: number
  precisionKills: number
  superKills: number
  grenadeKills: number
  meleeKills: number
  startSeconds: number
  /** Bungie caps this at 32,767 s (a signed 16-bit value) on very long activities. */
  timePlayedSeconds: number
  weapons: CheatWeapon[]
}

export interface CheatPlayer {
  membershipId: bigint
  /** Finished the activity (a character completed and the run ended normally). */
  finished: boolean
  /** Union of the characters' intervals, overlaps counted once. */
  timePlayedSeconds: number
  isFirstClear: boolean
  characters: CheatCharacter[]
}

export interface CheatInstance {
  instanceId: bigint
  /** definitions.activity_definition.id (1-16 raids, 101/102 Pantheon). */
  activityId: number
  /** definitions.version_definition.id (1 Standard, 2 Guided Games, 3 Prestige, 4 Master, ...). */
  versionId: number
  completed: boolean
  /** null when the era makes freshness unknowable. */
  fresh: boolean | null
  flawless: boolean | null
  /** Distinct players, as stored in core.instance.player_count. */
  playerCount: number
  dateStarted: Date
  dateCompleted: Date
  durationSeconds: number
  /** Days from the activity's release to the completion (fractional). */
  daysSinceRelease: number
  seasonId: number | null
  skullHashes: number[]
  players: CheatPlayer[]
}

export interface PlayerVerdict {
  membershipId: bigint
  probability: number
  bits: bigint
  explanations: string[]
}

export type SkipReason =
  /** The run overlaps a period when the game produced data the heuristics misread. */
  | { kind: "badDataWindow"; window: string }
  /** Incomplete runs of raids whose abandoned runs look like cheats (Shuro Chi, Golgoroth). */
  | { kind: "incompleteExcluded" }

export interface CheatVerdict {
  instanceId: bigint
  /** The cheat-check version the verdict was computed with (flags are idempotent per version). */
  version: string
  instanceProbability: number
  instanceBits: bigint
  explanations: string[]
  players: PlayerVerdict[]
  /** Set when the heuristics were not applied; probabilities are then 0 and no bits are set. */
  skipped: SkipReason | null
}

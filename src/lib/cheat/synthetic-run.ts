/**
 * Plausible synthetic runs: a team whose players share time and kills evenly, with a spread of
 * weapons and ordinary ability kills. Tests start from one and change what they examine; the
 * bench builds its corpus from them. Deterministic for the same options.
 */
import type { CheatCharacter, CheatInstance, CheatPlayer, CheatWeapon, WeaponAmmoType, WeaponSlot } from "./types.ts"

export interface SyntheticRunOptions {
  instanceId?: bigint
  activityId: number
  versionId: number
  activityReleaseDate: Date
  dateCompleted: Date
  durationSeconds: number
  players: number
  /** Kills of the whole team, shared evenly. */
  totalKills: number
  completed?: boolean
  fresh?: boolean | null
  flawless?: boolean | null
  skullHashes?: number[]
  /** Weapons per player (default 6; the first is a heavy weapon with a tenth of the kills). */
  weaponsPerPlayer?: number
}

const DAY_MS = 86_400_000
const FIRST_MEMBERSHIP_ID = 4611686018400000000n
const FIRST_CHARACTER_ID = 2305843009200000000n

export function buildSyntheticRun(options: SyntheticRunOptions): CheatInstance {
  const duration = options.durationSeconds
  const completed = options.completed ?? true
  const perPlayerKills = Math.ceil(options.totalKills / Math.max(1, options.players))
  const players: CheatPlayer[] = []
  for (let i = 0; i < options.players; i++) {
    players.push({
      membershipId: FIRST_MEMBERSHIP_ID + BigInt(i),
      finished: completed,
      timePlayedSeconds: duration,
      isFirstClear: false,
      characters: [buildCharacter(FIRST_CHARACTER_ID + BigInt(i), perPlayerKills, duration, completed, options.weaponsPerPlayer ?? 6)],
    })
  }
  return {
    instanceId: options.instanceId ?? 15_000_000_000n,
    activityId: options.activityId,
    versionId: options.versionId,
    completed,
    fresh: options.fresh ?? true,
    flawless: options.flawless ?? false,
    playerCount: options.players,
    dateStarted: new Date(options.dateCompleted.getTime() - duration * 1000),
    dateCompleted: options.dateCompleted,
    durationSeconds: duration,
    daysSinceRelease: (options.dateCompleted.getTime() - options.activityReleaseDate.getTime()) / DAY_MS,
    seasonId: null,
    skullHashes: options.skullHashes ?? [],
    players,
  }
}

function buildCharacter(characterId: bigint, kills: number, seconds: number, completed: boolean, weaponCount: number): CheatCharacter {
  return {
    characterId,
    classHash: 2271682572,
    completed,
    kills,
    deaths: Math.round(seconds / 600),
    precisionKills: Math.round(kills * 0.4),
    superKills: Math.round(kills * 0.01),
    grenadeKills: Math.round(kills * 0.04),
    meleeKills: Math.round(kills * 0.05),
    startSeconds: 0,
    timePlayedSeconds: seconds,
    weapons: buildWeapons(Math.round(kills * 0.85), weaponCount),
  }
}

const LOADOUT: [WeaponSlot, WeaponAmmoType][] = [
  ["Power", "Heavy"],
  ["Kinetic", "Primary"],
  ["Energy", "Special"],
  ["Kinetic", "Special"],
  ["Energy", "Primary"],
  ["Kinetic", "Primary"],
]

function buildWeapons(kills: number, count: number): CheatWeapon[] {
  if (count <= 0) return []
  const heavy = count > 1 ? Math.round(kills / 10) : kills
  const rest = kills - heavy
  const weapons: CheatWeapon[] = []
  for (let i = 0; i < count; i++) {
    const share = i === 0 ? heavy : Math.floor(rest / (count - 1)) + (i === 1 ? rest % (count - 1) : 0)
    const [slot, ammoType] = LOADOUT[i % LOADOUT.length]!
    weapons.push({ weaponHash: 1000 + i, kills: share, precisionKills: Math.round(share * 0.4), slot, ammoType, element: "Solar" })
  }
  return weapons
}

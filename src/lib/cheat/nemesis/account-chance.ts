/**
 * nemesis, step 2: the chance an account belongs to a cheater, from its profile. Each signal is a
 * probability (negative ones are evidence of a real player and lower the total), combined as
 * 1 − Π(1 − p). Weights are the original's.
 */
import { combineAny } from "../probability.ts"

/** Which signals fired (a bitmask for logs and reports, not stored with flags). */
export const AccountFlag = {
  Age: 1 << 0,
  StarClears: 1 << 1,
  Clears: 1 << 2,
  Platform: 1 << 3,
  Characters: 1 << 4,
  DLCs: 1 << 5,
  GuardianRank: 1 << 6,
  PrivateProfile: 1 << 7,
} as const

export interface AccountSignals {
  /** Days since the player was first seen in a raid. */
  accountAgeDays: number
  /** Lifetime raid clears. */
  clears: number
  /** Shares of the completed runs of the last 60 days: ≤ 3 players, flawless, solo. */
  lowmanRatio: number
  flawlessRatio: number
  soloRatio: number
  /** The profile's membership type and its cross-save applicable types (Bungie BungieMembershipType). */
  membershipType: number | null
  applicableMembershipTypes: readonly number[]
  /**
   * The profile's signals (characters, ownership, ranks): null when the profile could not be read
   * (Bungie down, account gone). An unknown signal is no evidence either way: it adds nothing.
   */
  characterCount: number | null
  /** DestinyProfileComponent.versionsOwned (DestinyGameVersions flags). */
  versionsOwned: bigint | null
  /** DestinyProfileComponent.seasonHashes.length. */
  seasonsOwned: number | null
  lifetimeHighestGuardianRank: number | null
  currentGuardianRank: number | null
  /** core.player.is_private: the activity history is hidden. */
  isPrivate: boolean
}

export interface AccountChance {
  chance: number
  flags: number
}

const STEAM = 3
const EPIC = 6

export function computeAccountCheaterChance(s: AccountSignals): AccountChance {
  let flags = 0

  let age = 0
  if (s.accountAgeDays < 7) age = 0.4
  else if (s.accountAgeDays < 30) age = 0.3
  else if (s.accountAgeDays < 90) age = 0.2
  else if (s.accountAgeDays < 365) age = 0.05
  if (s.accountAgeDays < 90) flags |= AccountFlag.Age

  let clears = 0
  if (s.clears < 50) {
    clears = (50 - s.clears) / 250
    flags |= AccountFlag.Clears
  }

  // Lowman, flawless and solo clears are what cheaters farm; the signal fades with every 70
  // clears beyond 70 (a veteran's lowmans are expected).
  const starClears =
    Math.min(0.75, Math.max(s.lowmanRatio * 0.5, s.flawlessRatio * 5, s.soloRatio * 10)) / Math.max(1, (s.clears - 70) / 70)
  if (starClears > 0.08) flags |= AccountFlag.StarClears

  // Console accounts are rarely cheaters; PC storefronts less so. The original meant Epic to raise
  // this to 0.06 but took a min() and never did (only its flag was set): here Epic counts.
  let platform = -0.2
  for (const type of [...s.applicableMembershipTypes, ...(s.membershipType === null ? [] : [s.membershipType])]) {
    if (type === STEAM) platform = Math.max(platform, 0.03)
    else if (type === EPIC) {
      platform = Math.max(platform, 0.06)
      flags |= AccountFlag.Platform
    }
  }

  let characters = 0
  if (s.characterCount === 1) characters = 0.25
  else if (s.characterCount === 2) characters = 0.15
  if (characters > 0) flags |= AccountFlag.Characters

  // Throwaway accounts own little: each DLC (Red War, Curse of Osiris and Warmind excluded) and
  // half of each season lowers the signal.
  const ownership =
    s.versionsOwned === null || s.seasonsOwned === null ? 0 : 0.81 ** (countDlcs(s.versionsOwned) + 0.5 * s.seasonsOwned) - 0.15
  if (ownership > 0.08) flags |= AccountFlag.DLCs

  let guardianRank = 0
  if (s.lifetimeHighestGuardianRank === null || s.currentGuardianRank === null) {
    // Unknown: no signal.
  } else if (s.lifetimeHighestGuardianRank < 5) {
    guardianRank = 0.3 + (4 - s.lifetimeHighestGuardianRank) * 0.05
    flags |= AccountFlag.GuardianRank
  } else if (s.lifetimeHighestGuardianRank === 5) {
    guardianRank = 0.05
    flags |= AccountFlag.GuardianRank
  } else if (s.currentGuardianRank >= 9) {
    guardianRank = -0.05 - (s.lifetimeHighestGuardianRank - 9) * 0.1
  }

  let privateHistory = 0
  if (s.isPrivate) {
    privateHistory = 0.125
    flags |= AccountFlag.PrivateProfile
  }

  return { chance: combineAny(age, clears, starClears, platform, characters, ownership, guardianRank, privateHistory), flags }
}

/** Owned game versions from bit 3 on (bits 0-2 are the base game and its first two DLCs). */
export function countDlcs(versionsOwned: bigint): number {
  let count = 0
  for (let bit = 3n; bit < 64n; bit++) if ((versionsOwned >> bit) & 1n) count++
  return count
}

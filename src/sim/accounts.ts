// Account-level facts of a pool player, the signals account-level cheat detection reads: when
// the account was created, which expansions (versionsOwned bits) and season passes it owns,
// Guardian Rank, time played, when it last played. Pure functions of (seed, player, time):
// a young account owns little and ranks low; ownership only covers what was released by then.
import type { SeasonRow } from "./fixtures.ts"
import { hashWords, unitFor } from "./random.ts"

const DAY_MS = 86_400_000
export const D2_LAUNCH_MS = Date.parse("2017-09-06T17:00:00Z")
/** Guardian Ranks arrived with Lightfall. */
const LIGHTFALL_MS = Date.parse("2023-02-28T17:00:00Z")

/** DestinyGameVersions bits (bungie-api-ts DestinyGameVersions) with the DLC names of the season table. */
const DLC_BITS: ReadonlyArray<{ bit: number; dlc: string | null; releaseMs?: number }> = [
  { bit: 2, dlc: "Curse of Osiris" },
  { bit: 4, dlc: "Warmind" },
  { bit: 8, dlc: "Forsaken" },
  { bit: 16, dlc: "Forsaken" }, // YearTwoAnnualPass, sold with Forsaken
  { bit: 32, dlc: "Shadowkeep" },
  { bit: 64, dlc: "Beyond Light" },
  { bit: 128, dlc: null, releaseMs: Date.parse("2021-12-07T17:00:00Z") }, // Anniversary30th
  { bit: 256, dlc: "The Witch Queen" },
  { bit: 512, dlc: "Lightfall" },
  { bit: 1024, dlc: "The Final Shape" },
  { bit: 2048, dlc: "The Edge of Fate" },
  { bit: 4096, dlc: "Renegades" },
]

/** How much an account buys: nothing (free to play), some, nearly everything. */
export type Spender = 0 | 1 | 2

const SALT = { created: 2001, createdAt: 2002, spender: 2003, dlc: 2004, season: 2005, rank: 2006, current: 2007, cadence: 2008 } as const

/**
 * Account creation. Veterans (regulars, full-clan members) date from launch week; others spread
 * from launch to a year after the world's anchor, so at any time a few accounts are days old
 * and a few do not exist yet (they answer 1601 and appear in no PGCR until created).
 */
export function accountCreatedMs(seed: number, index: number, anchorMs: number, veteran: boolean): number {
  const u = unitFor(seed, index, SALT.created)
  const v = unitFor(seed, index, SALT.createdAt)
  if (veteran || u < 0.15) return D2_LAUNCH_MS + Math.floor(v * 7 * DAY_MS)
  const early = D2_LAUNCH_MS + 7 * DAY_MS
  const yearBefore = Math.max(early, anchorMs - 365 * DAY_MS)
  if (u < 0.82) return early + Math.floor(v * (yearBefore - early))
  if (u < 0.97) return yearBefore + Math.floor(v * (anchorMs - yearBefore))
  return anchorMs + Math.floor(v * 365 * DAY_MS)
}

export function accountSpender(seed: number, index: number, createdMs: number, anchorMs: number): Spender {
  const u = unitFor(seed, index, SALT.spender)
  // Recent accounts are more often free to play.
  const freeShare = createdMs > anchorMs - 365 * DAY_MS ? 0.5 : 0.15
  if (u < freeShare) return 0
  return u < freeShare + (1 - freeShare) * 0.45 ? 1 : 2
}

export interface AccountView {
  versionsOwned: number
  seasonHashes: number[]
  currentSeasonHash: number
  currentGuardianRank: number
  lifetimeHighestGuardianRank: number
  renewedGuardianRank: number
}

/** Synthetic season hash (the fixtures carry no DestinySeasonDefinition hashes); stable across seeds. */
export function seasonHash(seasonId: number): number {
  return hashWords(0x5ea5, seasonId, 0x0a, 0x77) | 0x40000000
}

export class AccountFacts {
  private readonly dlcs: Array<{ bit: number; releaseMs: number }>

  constructor(
    private readonly seed: number,
    private readonly seasons: readonly SeasonRow[],
  ) {
    this.dlcs = DLC_BITS.map((d) => {
      const release = d.releaseMs ?? seasons.find((s) => s.dlc === d.dlc)?.startMs
      return { bit: d.bit, releaseMs: release ?? Number.POSITIVE_INFINITY }
    })
  }

  view(index: number, createdMs: number, spender: Spender, nowMs: number): AccountView {
    let versionsOwned = 1 // Destiny2 (free since New Light)
    const own = spender === 2 ? 0.95 : spender === 1 ? 0.5 : 0
    for (const d of this.dlcs) {
      if (d.releaseMs > nowMs) continue
      if (unitFor(this.seed, index * 64 + Math.log2(d.bit), SALT.dlc) < own) versionsOwned |= d.bit
    }
    const seasonOwn = spender === 2 ? 0.9 : spender === 1 ? 0.35 : 0.03
    const seasonHashes: number[] = []
    let current = this.seasons[0]
    for (let i = 0; i < this.seasons.length; i++) {
      const s = this.seasons[i]!
      if (s.startMs > nowMs) break
      current = s
      const end = this.seasons[i + 1]?.startMs ?? Number.POSITIVE_INFINITY
      // A pass can only be bought while its season runs, by an account that existed then.
      if (end <= createdMs) continue
      if (unitFor(this.seed, index * 64 + s.id, SALT.season) < seasonOwn) seasonHashes.push(seasonHash(s.id))
    }
    const ranks = this.guardianRanks(index, createdMs, spender, nowMs)
    return {
      versionsOwned,
      seasonHashes,
      currentSeasonHash: current ? seasonHash(current.id) : 0,
      currentGuardianRank: ranks.current,
      lifetimeHighestGuardianRank: ranks.lifetime,
      renewedGuardianRank: ranks.current,
    }
  }

  /** Ranks 1–11; young accounts low, veterans (who played since before Lightfall) high. */
  private guardianRanks(index: number, createdMs: number, spender: Spender, nowMs: number): { current: number; lifetime: number } {
    const ageDays = (nowMs - createdMs) / DAY_MS
    const u = unitFor(this.seed, index, SALT.rank)
    let lifetime: number
    if (ageDays < 7) lifetime = 1 + Math.floor(u * 2)
    else if (ageDays < 30) lifetime = 2 + Math.floor(u * 3)
    else if (ageDays < 90) lifetime = 3 + Math.floor(u * 3)
    else if (ageDays < 365 || nowMs < LIGHTFALL_MS) lifetime = 4 + Math.floor(u * 4)
    else lifetime = Math.min(11, 5 + Math.floor(u * (spender === 2 ? 7 : 5)))
    const drop = Math.floor(unitFor(this.seed, index, SALT.current) * 4)
    return { lifetime, current: Math.max(1, lifetime - drop) }
  }

  /** The start of the player's latest play session at or before `nowMs` (sessions every 1–20 days). */
  lastSessionMs(index: number, createdMs: number, nowMs: number): number {
    const period = (1 + Math.floor(unitFor(this.seed, index, SALT.cadence) * 20)) * DAY_MS
    const phase = unitFor(this.seed, index, SALT.cadence + 100) * period
    const since = nowMs - createdMs - phase
    if (since < 0) return createdMs
    return createdMs + phase + Math.floor(since / period) * period
  }

  /** Lifetime minutes on a character: grows with the account's age (slot 0 is the main). */
  minutesPlayed(index: number, slot: number, createdMs: number, nowMs: number): number {
    const ageDays = Math.max(0, (nowMs - createdMs) / DAY_MS)
    const perDay = 5 + unitFor(this.seed, index * 3 + slot, 4343) * (slot === 0 ? 110 : 40)
    return Math.floor(60 + ageDays * perDay)
  }
}

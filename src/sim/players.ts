// The finite player pool. Membership and character ids are bijections of the pool index,
// so any id maps back to its player in O(1) and every endpoint agrees with the PGCRs.
// Pool indices 0..regulars-1 are the regulars (they raid on their own id lanes, never by random
// pick); indices below 100 × fullClans fill the full clans (100 members each).
import { accountCreatedMs, accountSpender, type Spender } from "./accounts.ts"
import { Lru } from "./lru.ts"
import type { PlayerOptions } from "./options.ts"
import { hashWords, unitFor } from "./random.ts"

const MEMBERSHIP_BASE = 4611686018_400_000_000n
const MEMBERSHIP_SPAN = 100_000_000n
const MEMBERSHIP_MUL = 2_654_437n // odd and not a multiple of 5: invertible mod 10^8
const CHARACTER_BASE = 2305843009_300_000_000n
const CHARACTER_SPAN = 1_000_000_000n
const CHARACTER_MUL = 48_271_003n
const GROUP_BASE = 3_100_000n

export const CLASS_HASHES = [3655393761, 671679327, 2271682572] as const // Titan, Hunter, Warlock
export const CLASS_NAMES = ["Titan", "Hunter", "Warlock"] as const
const RACE_HASHES = [3887404748, 2803282938, 898834093] as const // Human, Awoken, Exo
const GENDER_HASHES = [3111576190, 2204441813] as const // Male, Female

export const MEMBERSHIP_TYPE_NAMES: Record<number, string> = {
  1: "TigerXbox",
  2: "TigerPsn",
  3: "TigerSteam",
  4: "TigerBlizzard",
  5: "TigerStadia",
  6: "TigerEgs",
}

const SYLLABLES = [
  "ka",
  "zor",
  "vi",
  "an",
  "el",
  "mi",
  "rath",
  "os",
  "ty",
  "nex",
  "ul",
  "dra",
  "qi",
  "sol",
  "ae",
  "rin",
  "gor",
  "va",
  "lux",
  "pe",
]

export interface SimCharacter {
  characterId: string
  index: number
  classType: number
  classHash: number
  className: string
  raceType: number
  raceHash: number
  genderType: number
  genderHash: number
  emblemHash: number
  light: number
}

export interface SimPlayer {
  index: number
  membershipId: string
  membershipType: number
  crossSaveOverride: number
  applicableMembershipTypes: number[]
  displayName: string
  bungieGlobalDisplayName: string
  bungieGlobalDisplayNameCode: number
  iconPath: string
  isPrivate: boolean
  isUnknown: boolean
  /** Clan as built (a deleted clan still shows here; see Clans for what Bungie answers). */
  groupIndex: number | null
  characters: SimCharacter[]
  /** Account creation (ms): before it the account answers 1601 and plays nothing. */
  createdMs: number
  spender: Spender
  isRegular: boolean
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m]
  let [oldS, s] = [1n, 0n]
  while (r !== 0n) {
    const q = oldR / r
    ;[oldR, r] = [r, oldR - q * r]
    ;[oldS, s] = [s, oldS - q * s]
  }
  return ((oldS % m) + m) % m
}

const MEMBERSHIP_INV = modInverse(MEMBERSHIP_MUL, MEMBERSHIP_SPAN)
const CHARACTER_INV = modInverse(CHARACTER_MUL, CHARACTER_SPAN)

export class PlayerPool {
  /**
   * Players are rebuilt from (seed, index) on demand; the cache only spares the rebuild for the
   * players of recent PGCRs. Bounded well below the pool: a cache that ends up holding the whole
   * pool (50,000 players, ~2 KB each) was most of an in-process simulator's memory growth.
   */
  private readonly cache = new Lru<number, SimPlayer>(10_000)
  readonly regularCount: number
  readonly fullClans: number

  constructor(
    public options: PlayerOptions,
    private readonly seed: number,
    private readonly emblems: readonly number[],
    private readonly icons: readonly string[],
    /** The world's anchor time: account creation dates spread around it. */
    private readonly anchorMs: number,
  ) {
    if (options.poolSize < 1 || options.poolSize > 10_000_000) throw new Error(`sim: players.poolSize out of range: ${options.poolSize}`)
    this.regularCount = Math.max(0, Math.min(options.regulars.count, options.poolSize - 1))
    this.fullClans = Math.max(0, Math.min(options.fullClans, Math.floor(options.poolSize / 100), options.clanCount - 1))
  }

  get size(): number {
    return this.options.poolSize
  }

  membershipIdOf(index: number): string {
    return (MEMBERSHIP_BASE + ((BigInt(index) * MEMBERSHIP_MUL) % MEMBERSHIP_SPAN)).toString()
  }

  /** Pool index of a membership id, or null for ids outside the pool. */
  indexOfMembership(membershipId: string): number | null {
    if (!/^\d{1,20}$/.test(membershipId)) return null
    const offset = BigInt(membershipId) - MEMBERSHIP_BASE
    if (offset < 0n || offset >= MEMBERSHIP_SPAN) return null
    const index = Number((offset * MEMBERSHIP_INV) % MEMBERSHIP_SPAN)
    return index < this.options.poolSize ? index : null
  }

  /** Player index and character slot of a character id, or null. */
  locateCharacter(characterId: string): { player: number; slot: number } | null {
    if (!/^\d{1,20}$/.test(characterId)) return null
    const offset = BigInt(characterId) - CHARACTER_BASE
    if (offset < 0n || offset >= CHARACTER_SPAN) return null
    const n = Number((offset * CHARACTER_INV) % CHARACTER_SPAN)
    const player = Math.floor(n / 3)
    const slot = n % 3
    if (player >= this.options.poolSize) return null
    return slot < this.get(player).characters.length ? { player, slot } : null
  }

  groupIdOf(groupIndex: number): string {
    return (GROUP_BASE + BigInt(groupIndex)).toString()
  }

  groupIndexOf(groupId: string): number | null {
    if (!/^\d{1,20}$/.test(groupId)) return null
    const n = BigInt(groupId) - GROUP_BASE
    return n >= 0n && n < BigInt(this.options.clanCount) ? Number(n) : null
  }

  /** Members of a clan as built (full clans: 100 consecutive indices; others: a residue class). */
  membersOfGroup(groupIndex: number): number[] {
    const members: number[] = []
    const f = this.fullClans
    if (groupIndex < f) {
      for (let k = groupIndex * 100; k < groupIndex * 100 + 100; k++) members.push(k)
      return members
    }
    const stride = this.options.clanCount - f
    for (let k = f * 100 + (groupIndex - f); k < this.options.poolSize; k += stride) {
      if (this.get(k).groupIndex === groupIndex) members.push(k)
    }
    return members
  }

  isRegular(index: number): boolean {
    return index < this.regularCount
  }

  /** Skewed pick among non-regulars: a few players raid a lot, most rarely (what leaderboards look like). */
  pickIndex(u: number): number {
    const r = this.regularCount
    return Math.min(this.options.poolSize - 1, r + Math.floor((this.options.poolSize - r) * u * u))
  }

  get(index: number): SimPlayer {
    const cached = this.cache.get(index)
    if (cached) return cached
    const player = this.build(index)
    this.cache.set(index, player)
    return player
  }

  private u(index: number, salt: number): number {
    return unitFor(this.seed, index, 1000 + salt)
  }

  private build(index: number): SimPlayer {
    const isRegular = this.isRegular(index)
    const inFullClan = index < this.fullClans * 100
    const createdMs = accountCreatedMs(this.seed, index, this.anchorMs, isRegular || inFullClan)
    const young = createdMs > this.anchorMs - 365 * 86_400_000
    const typeRoll = this.u(index, 1)
    const membershipType = typeRoll < 0.55 ? 3 : typeRoll < 0.75 ? 2 : typeRoll < 0.9 ? 1 : 6
    const crossSaved = this.u(index, 2) < 0.4
    const others = [1, 2, 3, 6].filter((t) => t !== membershipType)
    const applicable = crossSaved ? [membershipType, others[Math.floor(this.u(index, 3) * others.length)]!] : [membershipType]
    const name = this.makeName(index)
    // Young accounts more often have a single character.
    const characterCount = isRegular ? 3 : 1 + (this.u(index, 4) < (young ? 0.2 : 0.5) ? 2 : this.u(index, 5) < (young ? 0.3 : 0.6) ? 1 : 0)
    const firstClass = Math.floor(this.u(index, 6) * 3)
    const characters: SimCharacter[] = []
    for (let slot = 0; slot < characterCount; slot++) {
      const classType = (firstClass + slot) % 3
      const raceType = Math.floor(this.u(index, 10 + slot) * 3)
      const genderType = this.u(index, 20 + slot) < 0.5 ? 0 : 1
      characters.push({
        characterId: (CHARACTER_BASE + ((BigInt(index * 3 + slot) * CHARACTER_MUL) % CHARACTER_SPAN)).toString(),
        index: slot,
        classType,
        classHash: CLASS_HASHES[classType]!,
        className: CLASS_NAMES[classType]!,
        raceType,
        raceHash: RACE_HASHES[raceType]!,
        genderType,
        genderHash: GENDER_HASHES[genderType]!,
        emblemHash: this.emblems[Math.floor(this.u(index, 30 + slot) * this.emblems.length)] ?? 1230660645,
        light: 1800 + Math.floor(this.u(index, 40 + slot) * 211),
      })
    }
    const isUnknown = !isRegular && !inFullClan && this.u(index, 54) < this.options.unknownShare
    const f = this.fullClans
    const stride = this.options.clanCount - f
    let groupIndex: number | null = null
    if (inFullClan) groupIndex = Math.floor(index / 100)
    else if (!isUnknown && stride > 0 && this.u(index, 50) < this.options.clanShare) groupIndex = f + ((index - f * 100) % stride)
    return {
      index,
      membershipId: this.membershipIdOf(index),
      membershipType,
      crossSaveOverride: crossSaved ? membershipType : 0,
      applicableMembershipTypes: applicable,
      displayName: name.platform,
      bungieGlobalDisplayName: name.global,
      bungieGlobalDisplayNameCode: 1 + Math.floor(this.u(index, 51) * 9999),
      iconPath: this.icons[Math.floor(this.u(index, 52) * this.icons.length)] ?? "/img/profile/avatars/default_avatar.gif",
      isPrivate: !isRegular && this.u(index, 53) < this.options.privateShare,
      isUnknown,
      groupIndex,
      characters,
      createdMs,
      spender: accountSpender(this.seed, index, createdMs, this.anchorMs),
      isRegular,
    }
  }

  private makeName(index: number): { platform: string; global: string } {
    const h = hashWords(this.seed, index, 77, 78)
    const parts = 2 + (h % 2)
    let global = ""
    for (let i = 0; i < parts; i++) global += SYLLABLES[(h >>> (i * 5 + 1)) % SYLLABLES.length]
    global = global.charAt(0).toUpperCase() + global.slice(1)
    // Older accounts keep a platform name that differs from the Bungie name.
    const platform = (h & 0x40) === 0 ? global : `${global}${(h >>> 20) % 100}`
    return { platform, global }
  }
}

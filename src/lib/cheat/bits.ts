/**
 * The reason bitmask of a cheat flag: 64-bit, a bigint in code and a bigint column in SQL
 * (flagging.flag_instance*.cheat_check_bitmask). Bit numbers are the original's, so flags written
 * by either system read the same: bit 0 Manual, bits 1-16 the raids, 17-32 reserved for future
 * raids, 33-34 the Pantheons, 35-45 unused, 46-62 the reasons.
 */

export const CheatBit = {
  Manual: 1n << 0n,
  Leviathan: 1n << 1n,
  EaterOfWorlds: 1n << 2n,
  SpireOfStars: 1n << 3n,
  LastWish: 1n << 4n,
  ScourgeOfThePast: 1n << 5n,
  CrownOfSorrow: 1n << 6n,
  GardenOfSalvation: 1n << 7n,
  DeepStoneCrypt: 1n << 8n,
  VaultOfGlass: 1n << 9n,
  VowOfTheDisciple: 1n << 10n,
  KingsFall: 1n << 11n,
  RootOfNightmares: 1n << 12n,
  CrotasEnd: 1n << 13n,
  SalvationsEdge: 1n << 14n,
  DesertPerpetual: 1n << 15n,
  EpicDesertPerpetual: 1n << 16n,
  // 17-32: reserved for raids to come (one bit each, in release order).
  Pantheon: 1n << 33n,
  Pantheon2: 1n << 34n,
  // 35-45: unused.
  RestrictedPGCR: 1n << 46n,
  PlayerHeavyAmmoKills: 1n << 47n,
  FastLowmanCheckpoint: 1n << 48n,
  UnlikelyLowman: 1n << 49n,
  PlayerKillsShare: 1n << 50n,
  TimeDilation: 1n << 51n,
  FirstClear: 1n << 52n,
  Solo: 1n << 53n,
  TotalInstanceKills: 1n << 54n,
  TwoPlusCheaters: 1n << 55n,
  PlayerTotalKills: 1n << 56n,
  PlayerWeaponDiversity: 1n << 57n,
  PlayerSuperKills: 1n << 58n,
  PlayerGrenadeKills: 1n << 59n,
  TooFast: 1n << 60n,
  TooFewPlayersCheckpoint: 1n << 61n,
  TooFewPlayersFresh: 1n << 62n,
} as const

export type CheatBitName = keyof typeof CheatBit

const NAMED_BITS = Object.entries(CheatBit) as [CheatBitName, bigint][]

/** The names of the bits set in a mask, lowest bit first; unnamed bits appear as `Bit<n>`. */
export function nameBits(mask: bigint): string[] {
  const names: string[] = []
  for (let n = 0n; n < 64n; n++) {
    const bit = 1n << n
    if ((mask & bit) === 0n) continue
    const named = NAMED_BITS.find(([, value]) => value === bit)
    names.push(named ? named[0] : `Bit${n}`)
  }
  return names
}

/** The bit number (0-63) of a single-bit constant. */
export function bitNumber(bit: bigint): number {
  let n = 0
  while (n < 64 && 1n << BigInt(n) !== bit) n++
  if (n === 64) throw new Error(`not a single bit: ${bit}`)
  return n
}

/** Whether every bit of `bits` is set in `mask`. */
export function hasBits(mask: bigint, bits: bigint): boolean {
  return (mask & bits) === bits
}

/**
 * A mask from an operator's text: a decimal number, or bit names joined by commas or `|`
 * (`TooFast,VaultOfGlass`; `Bit<n>` for unnamed bits). Null when any part is unknown or the mask
 * is outside 64 bits.
 */
export function parseBitMask(text: string): bigint | null {
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) {
    const value = BigInt(trimmed)
    return value < 1n << 64n ? value : null
  }
  let mask = 0n
  for (const part of trimmed.split(/[,|]/).map((p) => p.trim())) {
    const named = NAMED_BITS.find(([name]) => name.toLowerCase() === part.toLowerCase())
    const numbered = /^bit(\d{1,2})$/i.exec(part)
    if (named) mask |= named[1]
    else if (numbered && Number(numbered[1]) < 64) mask |= 1n << BigInt(numbered[1]!)
    else return null
  }
  return mask
}

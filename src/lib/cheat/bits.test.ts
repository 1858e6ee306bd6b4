import { describe, expect, test } from "bun:test"
import { bitNumber, CheatBit, hasBits, nameBits, parseBitMask } from "./bits.ts"

// The original's layout (lib/services/cheat_detection/types.go, an iota sequence): flags written by
// either system must read the same, so every number is pinned here.
const ORIGINAL_BIT_NUMBERS: Record<keyof typeof CheatBit, number> = {
  Manual: 0,
  Leviathan: 1,
  EaterOfWorlds: 2,
  SpireOfStars: 3,
  LastWish: 4,
  ScourgeOfThePast: 5,
  CrownOfSorrow: 6,
  GardenOfSalvation: 7,
  DeepStoneCrypt: 8,
  VaultOfGlass: 9,
  VowOfTheDisciple: 10,
  KingsFall: 11,
  RootOfNightmares: 12,
  CrotasEnd: 13,
  SalvationsEdge: 14,
  DesertPerpetual: 15,
  EpicDesertPerpetual: 16,
  Pantheon: 33,
  Pantheon2: 34,
  RestrictedPGCR: 46,
  PlayerHeavyAmmoKills: 47,
  FastLowmanCheckpoint: 48,
  UnlikelyLowman: 49,
  PlayerKillsShare: 50,
  TimeDilation: 51,
  FirstClear: 52,
  Solo: 53,
  TotalInstanceKills: 54,
  TwoPlusCheaters: 55,
  PlayerTotalKills: 56,
  PlayerWeaponDiversity: 57,
  PlayerSuperKills: 58,
  PlayerGrenadeKills: 59,
  TooFast: 60,
  TooFewPlayersCheckpoint: 61,
  TooFewPlayersFresh: 62,
}

describe("reason bits", () => {
  test("every bit has the original's number", () => {
    expect(Object.keys(CheatBit).sort()).toEqual(Object.keys(ORIGINAL_BIT_NUMBERS).sort())
    for (const [name, bit] of Object.entries(CheatBit)) {
      expect([name, bitNumber(bit)]).toEqual([name, ORIGINAL_BIT_NUMBERS[name as keyof typeof CheatBit]])
    }
  })

  test("the whole mask fits a signed 64-bit column", () => {
    const all = Object.values(CheatBit).reduce((a, b) => a | b, 0n)
    expect(all).toBeLessThanOrEqual(2n ** 63n - 1n)
  })

  test("names of a mask, lowest bit first, unnamed bits by number", () => {
    expect(nameBits(CheatBit.TooFast | CheatBit.VaultOfGlass | CheatBit.Solo)).toEqual(["VaultOfGlass", "Solo", "TooFast"])
    expect(nameBits((1n << 20n) | CheatBit.Manual)).toEqual(["Manual", "Bit20"])
    expect(nameBits(0n)).toEqual([])
  })

  test("hasBits needs every bit", () => {
    const mask = CheatBit.TooFast | CheatBit.Solo
    expect(hasBits(mask, CheatBit.TooFast)).toBe(true)
    expect(hasBits(mask, CheatBit.TooFast | CheatBit.TimeDilation)).toBe(false)
  })

  test("bitNumber rejects masks of several bits", () => {
    expect(() => bitNumber(3n)).toThrow()
  })
})

test("parseBitMask: decimal, names (any case, commas or |), Bit<n>; unknown names and >64 bits refused", () => {
  expect(parseBitMask("1152921504606846976")).toBe(CheatBit.TooFast)
  expect(parseBitMask("TooFast,VaultOfGlass")).toBe(CheatBit.TooFast | CheatBit.VaultOfGlass)
  expect(parseBitMask("toofast | bit40")).toBe(CheatBit.TooFast | (1n << 40n))
  expect(parseBitMask("TooFast,Nope")).toBeNull()
  expect(parseBitMask("Bit64")).toBeNull()
  expect(parseBitMask((1n << 64n).toString())).toBeNull()
  expect(nameBits(parseBitMask(nameBits(CheatBit.Solo | CheatBit.Pantheon2).join(","))!)).toEqual(["Pantheon2", "Solo"])
})

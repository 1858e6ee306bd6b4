import { describe, expect, test } from "bun:test"
import { computeMinimumCheatLevel, decideCheatLevel } from "./cheat-level.ts"
import type { FlagCounts } from "./flag-class.ts"

const counts = (A: number, B = 0, C = 0, D = 0): FlagCounts => ({ total: A + B + C + D, A, B, C, D })

describe("computeMinimumCheatLevel", () => {
  test("level 4 needs A flags backed by the account chance, or a hundred of them", () => {
    expect(computeMinimumCheatLevel(counts(5), 0.9)).toBe(4)
    expect(computeMinimumCheatLevel(counts(5), 0.89)).toBe(2)
    expect(computeMinimumCheatLevel(counts(10), 0.7)).toBe(4)
    expect(computeMinimumCheatLevel(counts(25), 0.5)).toBe(4)
    expect(computeMinimumCheatLevel(counts(50), 0.25)).toBe(4)
    expect(computeMinimumCheatLevel(counts(100), 0)).toBe(4)
  })

  test("lower levels from cumulative counts (B includes A, C includes B)", () => {
    expect(computeMinimumCheatLevel(counts(6), 0)).toBe(3)
    expect(computeMinimumCheatLevel(counts(0, 30), 0)).toBe(3)
    expect(computeMinimumCheatLevel(counts(2, 8), 0.75)).toBe(3)
    expect(computeMinimumCheatLevel(counts(4), 0)).toBe(2)
    expect(computeMinimumCheatLevel(counts(1, 9), 0)).toBe(2)
    expect(computeMinimumCheatLevel(counts(0, 0, 15), 0.6)).toBe(2)
    expect(computeMinimumCheatLevel(counts(0, 0, 30), 0)).toBe(2)
    expect(computeMinimumCheatLevel(counts(1), 0)).toBe(1)
    expect(computeMinimumCheatLevel(counts(0, 2), 0)).toBe(1)
    expect(computeMinimumCheatLevel(counts(0, 0, 5), 0)).toBe(1)
    expect(computeMinimumCheatLevel(counts(0, 0, 0, 30), 0)).toBe(1)
    expect(computeMinimumCheatLevel(counts(0, 1, 3, 25), 0.99)).toBe(0)
  })
})

describe("decideCheatLevel", () => {
  test("raises to the evidence's level", () => {
    expect(decideCheatLevel({ currentLevel: 1, whitelisted: false, counts: counts(6), accountChance: 0 })).toEqual({
      level: 3,
      raised: true,
    })
  })

  test("never lowers a level", () => {
    expect(decideCheatLevel({ currentLevel: 3, whitelisted: false, counts: counts(1), accountChance: 0 })).toEqual({
      level: 3,
      raised: false,
    })
  })

  test("leaves a whitelisted player alone, whatever the evidence", () => {
    expect(decideCheatLevel({ currentLevel: 0, whitelisted: true, counts: counts(200), accountChance: 1 })).toEqual({
      level: 0,
      raised: false,
    })
    expect(decideCheatLevel({ currentLevel: 2, whitelisted: true, counts: counts(200), accountChance: 1 })).toEqual({
      level: 2,
      raised: false,
    })
  })

  test("out-of-range stored levels are clamped", () => {
    expect(decideCheatLevel({ currentLevel: 9, whitelisted: false, counts: counts(0), accountChance: 0 })).toEqual({
      level: 4,
      raised: false,
    })
    expect(decideCheatLevel({ currentLevel: -1, whitelisted: false, counts: counts(1), accountChance: 0 })).toEqual({
      level: 1,
      raised: true,
    })
  })
})

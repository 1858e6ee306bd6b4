import { describe, expect, test } from "bun:test"
import { classifyFlag, countRecentFlags, needsLevelReview, type PlayerFlag } from "./flag-class.ts"

describe("classifyFlag", () => {
  test("grades by the player's probability first, the instance's second", () => {
    expect(classifyFlag(0.85, null)).toBe("A")
    expect(classifyFlag(0.84, 0.995)).toBe("B")
    expect(classifyFlag(0.5, null)).toBe("B")
    expect(classifyFlag(0.1, 0.99)).toBe("B")
    expect(classifyFlag(0.25, null)).toBe("C")
    expect(classifyFlag(0.1, 0.5)).toBe("C")
    expect(classifyFlag(0.24, 0.49)).toBe("D")
    expect(classifyFlag(0.06, null)).toBe("D")
  })
})

describe("countRecentFlags", () => {
  const now = new Date("2026-03-01T00:00:00Z")
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000)
  const flag = (instanceId: bigint, playerProbability: number, ageDays: number, extra: Partial<PlayerFlag> = {}): PlayerFlag => ({
    instanceId,
    playerProbability,
    instanceProbability: null,
    flaggedAt: daysAgo(ageDays),
    instanceWhitelisted: false,
    ...extra,
  })

  test("the last 60 days, one flag per instance (the newest), whitelisted runs left out", () => {
    const counts = countRecentFlags(
      [
        flag(1n, 0.9, 1),
        flag(2n, 0.6, 59),
        flag(3n, 0.3, 61), // too old
        flag(4n, 0.9, 30),
        flag(4n, 0.1, 2), // a newer check of instance 4 replaces the older verdict
        flag(5n, 0.99, 3, { instanceWhitelisted: true }),
        flag(6n, 0.1, 5, { instanceProbability: 0.6 }),
      ],
      now,
    )
    expect(counts).toEqual({ total: 4, A: 1, B: 1, C: 1, D: 1 })
    expect(needsLevelReview(counts)).toBe(true)
  })

  test("fewer than three flags are not reviewed", () => {
    expect(needsLevelReview(countRecentFlags([flag(1n, 0.99, 1), flag(2n, 0.99, 1)], now))).toBe(false)
  })
})

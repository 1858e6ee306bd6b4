import { describe, expect, test } from "bun:test"
import { type CascadeCandidate, describeCascadeReason, isCascadeSource, shouldCascadeBlacklist } from "./cascade.ts"

const DAY = 86_400_000
const lastSeen = new Date("2026-03-01T00:00:00Z")
const ago = (days: number) => new Date(lastSeen.getTime() - days * DAY)

/** A 30-minute run the player barely touched: 2 minutes, did not finish, unflagged, recent. */
const negligible: CascadeCandidate = {
  instanceProbability: null,
  playerProbability: null,
  playerCount: 6,
  timePlayedSeconds: 120,
  durationSeconds: 1800,
  playerFinished: false,
  dateCompleted: ago(5),
  onLeaderboard: false,
  instanceWhitelisted: false,
}

describe("shouldCascadeBlacklist", () => {
  test("a negligible part in a recent run is spared", () => {
    expect(shouldCascadeBlacklist(negligible, lastSeen)).toBe(false)
  })

  test("strong flags blacklist regardless of age or part", () => {
    expect(shouldCascadeBlacklist({ ...negligible, dateCompleted: ago(900), instanceProbability: 0.75 }, lastSeen)).toBe(true)
    expect(shouldCascadeBlacklist({ ...negligible, dateCompleted: ago(900), playerProbability: 0.5 }, lastSeen)).toBe(true)
  })

  test("any real part in a run within 60 days of last seen", () => {
    for (const part of [
      { playerCount: 1 },
      { timePlayedSeconds: 300 },
      { timePlayedSeconds: 150, durationSeconds: 500 }, // 30 %
      { playerFinished: true },
      { instanceProbability: 0.25 },
      { playerProbability: 0.1 },
    ]) {
      expect(shouldCascadeBlacklist({ ...negligible, ...part }, lastSeen)).toBe(true)
      expect(shouldCascadeBlacklist({ ...negligible, ...part, dateCompleted: ago(61) }, lastSeen)).toBe(false)
    }
  })

  test("leaderboard runs count back a year", () => {
    const finished = { ...negligible, playerFinished: true, onLeaderboard: true }
    expect(shouldCascadeBlacklist({ ...finished, dateCompleted: ago(200) }, lastSeen)).toBe(true)
    expect(shouldCascadeBlacklist({ ...finished, dateCompleted: ago(370) }, lastSeen)).toBe(false)
    expect(shouldCascadeBlacklist({ ...finished, onLeaderboard: false, dateCompleted: ago(200) }, lastSeen)).toBe(false)
  })

  test("an operator-whitelisted run is never cascaded", () => {
    expect(shouldCascadeBlacklist({ ...negligible, instanceProbability: 1, instanceWhitelisted: true }, lastSeen)).toBe(false)
  })

  test("a zero-duration run does not divide by zero", () => {
    expect(shouldCascadeBlacklist({ ...negligible, durationSeconds: 0 }, lastSeen)).toBe(false)
  })
})

describe("isCascadeSource", () => {
  const now = new Date("2026-03-05T00:00:00Z")
  test("level 4, not whitelisted, seen within 14 days", () => {
    expect(isCascadeSource({ cheatLevel: 4, whitelisted: false, lastSeen }, now)).toBe(true)
    expect(isCascadeSource({ cheatLevel: 3, whitelisted: false, lastSeen }, now)).toBe(false)
    expect(isCascadeSource({ cheatLevel: 4, whitelisted: true, lastSeen }, now)).toBe(false)
    expect(isCascadeSource({ cheatLevel: 4, whitelisted: false, lastSeen: new Date(now.getTime() - 15 * DAY) }, now)).toBe(false)
  })
})

test("the cascade reason names the player", () => {
  expect(describeCascadeReason(4611686018488107374n)).toBe("Blacklisted player 4611686018488107374 has played in this instance")
})

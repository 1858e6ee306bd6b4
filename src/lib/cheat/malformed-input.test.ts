/**
 * Broken or missing data never throws and never yields a probability outside [0, 1] (or NaN):
 * zero durations, no players, no characters, no weapons, Bungie's 32,767 s cap, garbage numbers.
 */
import { describe, expect, test } from "bun:test"
import { CheatBit } from "./bits.ts"
import { checkInstance } from "./check-instance.ts"
import { DEFAULT_HEURISTICS, VersionId } from "./heuristics-table.ts"
import { buildSyntheticRun } from "./synthetic-run.ts"
import type { CheatInstance, CheatVerdict } from "./types.ts"

function base(overrides: Partial<Parameters<typeof buildSyntheticRun>[0]> = {}): CheatInstance {
  return buildSyntheticRun({
    activityId: 9,
    versionId: VersionId.Standard,
    activityReleaseDate: new Date("2021-05-22T17:00:00Z"),
    dateCompleted: new Date("2024-03-01T00:00:00Z"),
    durationSeconds: 2400,
    players: 6,
    totalKills: 2000,
    ...overrides,
  })
}

function expectSane(verdict: CheatVerdict): void {
  const probabilities = [verdict.instanceProbability, ...verdict.players.map((p) => p.probability)]
  for (const p of probabilities) {
    expect(Number.isNaN(p)).toBe(false)
    expect(p).toBeGreaterThanOrEqual(0)
    expect(p).toBeLessThanOrEqual(1)
  }
  expect(verdict.instanceBits).toBeGreaterThanOrEqual(0n)
  expect(verdict.instanceBits).toBeLessThan(1n << 63n)
}

const check = (instance: CheatInstance) => checkInstance(instance, DEFAULT_HEURISTICS, "test")

describe("malformed input", () => {
  test("zero duration, completed and fresh: no speed or dilation signal from a division by zero", () => {
    const instance = base({ durationSeconds: 0 })
    const verdict = check(instance)
    expectSane(verdict)
    expect(verdict.instanceBits & (CheatBit.TooFast | CheatBit.TimeDilation)).toBe(0n)
  })

  test("no players at all", () => {
    const instance = base()
    instance.players = []
    const verdict = check(instance)
    expectSane(verdict)
    expect(verdict.players).toEqual([])
    expect(verdict.instanceBits & (CheatBit.TooFewPlayersFresh | CheatBit.UnlikelyLowman)).toBe(0n)
  })

  test("players without characters, characters without weapons", () => {
    const noCharacters = base()
    for (const p of noCharacters.players) p.characters = []
    expectSane(check(noCharacters))
    const noWeapons = base()
    for (const p of noWeapons.players) for (const c of p.characters) c.weapons = []
    const verdict = check(noWeapons)
    expectSane(verdict)
    for (const p of verdict.players) expect(p.bits & CheatBit.PlayerWeaponDiversity).toBe(0n)
  })

  test("no time played recorded: no TooFast from a zero head count", () => {
    const instance = base({ durationSeconds: 2400 })
    for (const p of instance.players) {
      p.timePlayedSeconds = 0
      for (const c of p.characters) c.timePlayedSeconds = 0
    }
    const verdict = check(instance)
    expectSane(verdict)
    expect(verdict.instanceBits & CheatBit.TooFast).toBe(0n)
  })

  test("Bungie's 32,767 s time cap: a capped run is never called time-dilated", () => {
    // Ten players over a 400,000 s instance would be 'dilated' (sum < duration) were the times real.
    const instance = base({ players: 10, durationSeconds: 32_767, completed: false })
    instance.durationSeconds = 400_000
    const verdict = check(instance)
    expectSane(verdict)
    expect(verdict.instanceBits & CheatBit.TimeDilation).toBe(0n)
    // Uncapped, the same shortfall is flagged.
    for (const p of instance.players) for (const c of p.characters) c.timePlayedSeconds = 32_000
    for (const p of instance.players) p.timePlayedSeconds = 32_000
    expect(check(instance).instanceBits & CheatBit.TimeDilation).toBe(CheatBit.TimeDilation)
  })

  test("an activity missing from the table gets the activity-independent signals only", () => {
    const instance = base({ activityId: 999, players: 1, durationSeconds: 30 })
    const verdict = check(instance)
    expectSane(verdict)
    expect(
      verdict.instanceBits &
        ~(
          CheatBit.Solo |
          CheatBit.PlayerTotalKills |
          CheatBit.PlayerGrenadeKills |
          CheatBit.PlayerSuperKills |
          CheatBit.PlayerKillsShare |
          CheatBit.PlayerWeaponDiversity |
          CheatBit.PlayerHeavyAmmoKills
        ),
    ).toBe(0n)
  })

  test("invalid dates and non-finite days", () => {
    const instance = base()
    instance.dateStarted = new Date(Number.NaN)
    instance.dateCompleted = new Date(Number.NaN)
    instance.daysSinceRelease = Number.NaN
    expectSane(check(instance))
    instance.daysSinceRelease = Number.POSITIVE_INFINITY
    expectSane(check(instance))
    instance.daysSinceRelease = -50
    expectSane(check(instance))
  })

  test("random garbage in every number never throws", () => {
    let seed = 42
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed / 2 ** 32
    }
    const garbage = [0, -1, -32_768, 32_767, 1e12, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5]
    const pick = (real: number) => (rand() < 0.3 ? garbage[Math.floor(rand() * garbage.length)]! : real)
    for (let round = 0; round < 500; round++) {
      const players = Math.floor(rand() * 8)
      const instance = base({
        players,
        activityId: [1, 4, 9, 14, 15, 101, 102, 0][round % 8]!,
        completed: rand() < 0.8,
        fresh: rand() < 0.5 ? true : rand() < 0.5 ? null : false,
        flawless: rand() < 0.3,
      })
      instance.durationSeconds = pick(instance.durationSeconds)
      instance.playerCount = pick(instance.playerCount)
      instance.daysSinceRelease = pick(instance.daysSinceRelease)
      instance.versionId = pick(instance.versionId)
      for (const p of instance.players) {
        p.timePlayedSeconds = pick(p.timePlayedSeconds)
        for (const c of p.characters) {
          c.kills = pick(c.kills)
          c.grenadeKills = pick(c.grenadeKills)
          c.meleeKills = pick(c.meleeKills)
          c.superKills = pick(c.superKills)
          c.timePlayedSeconds = pick(c.timePlayedSeconds)
          for (const w of c.weapons) w.kills = pick(w.kills)
        }
      }
      expectSane(check(instance))
    }
  })
})

test("an abandoned run without any recorded time is not time-dilated", () => {
  const instance = base({ completed: false, durationSeconds: 600 })
  instance.players = []
  expect(check(instance).instanceProbability).toBe(0)
  const zeroTimes = base({ completed: false, durationSeconds: 600 })
  for (const p of zeroTimes.players) {
    p.timePlayedSeconds = 0
    for (const c of p.characters) c.timePlayedSeconds = 0
  }
  expect(check(zeroTimes).instanceBits & CheatBit.TimeDilation).toBe(0n)
})

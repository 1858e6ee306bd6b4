/**
 * Real PGCRs from the shared fixtures, changed by hand to show one behaviour each, with the
 * expected probabilities worked out here from the formulas in docs/cheat-detection.md — written
 * out independently of the implementation (no call into it but checkInstance itself).
 */
import { describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { readPgcrFixtureJson } from "../fixtures.ts"
import { unwrapPgcrEnvelope } from "../pgcr/envelope.ts"
import { processPgcr } from "../pgcr/process.ts"
import { CheatBit } from "./bits.ts"
import { checkInstance } from "./check-instance.ts"
import { buildCheatInstance } from "./from-processed.ts"
import { DEFAULT_HEURISTICS } from "./heuristics-table.ts"
import type { CheatInstance, CheatPlayer } from "./types.ts"

const defs = loadDefinitions()
const DAY_MS = 86_400_000

function loadFixture(name: string): CheatInstance {
  const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
  if (unwrapped.kind !== "ok") throw new Error(name)
  const result = processPgcr(unwrapped.body, defs)
  if (result.kind !== "raid") throw new Error(`${name}: ${result.kind}`)
  return buildCheatInstance(result.instance, {
    activityId: result.activityId,
    versionId: result.versionId,
    activityReleaseDate: defs.activity(result.activityId)!.releaseDate,
    seasonId: null,
  })
}

// ---- the formulas, written out ----
const logistic = (k: number, x0: number, x: number) => 1 / (1 + Math.exp(k * (x - x0)))
const any = (...ps: number[]) => 1 - ps.reduce((none, p) => none * (1 - p), 1)
function atLeastTwo(ps: number[]): number {
  const none = ps.reduce((n, p) => n * (1 - p), 1)
  const one = ps.reduce((sum, p, i) => sum + p * ps.reduce((n, q, j) => (j === i ? n : n * (1 - q)), 1), 0)
  return 1 - none - one
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const releaseOf = (activityId: number) => new Date(defs.activity(activityId)!.releaseDate).getTime()
const daysAfterRelease = (activityId: number, completed: Date) => (completed.getTime() - releaseOf(activityId)) / DAY_MS

/** The weapon-diversity signal (0.5·e^(−0.3·score)) of one finished player's weapon kill counts. */
function weaponSignal(weaponKills: number[], seconds: number, finished: boolean): number {
  const kills = sum(weaponKills)
  const n = weaponKills.length
  let score: number
  if (kills < 150) score = 100
  else if (n <= 3) score = ((n + 1) * 1200) / seconds / (Math.max(kills, 800) / 800)
  else {
    const mean = kills / n
    const sd = Math.sqrt(sum(weaponKills.map((k) => (k - mean) ** 2)) / (n - 1))
    const outliers = weaponKills.filter((k) => k > mean + 2 * sd || k < mean - 2 * sd).length
    score = (Math.sqrt(mean / Math.max(sd, 1)) + (n - outliers) ** 1.5) / (Math.max(kills, 600) / 600)
  }
  if (!finished) score **= 2
  return 0.5 * Math.exp(-0.3 * score)
}

interface OwnSignals {
  kills: number
  grenade: number
  heavy: number
  super: number
  weapons: number
  share: number
}

/** The six player signals of a player without heavy-weapon definitions, at full weight (≥ 300 s). */
function ownSignals(
  p: { seconds: number; kills: number; grenade: number; melee: number; supers: number; weaponKills: number[]; finished: boolean },
  team: { kills: number; seconds: number },
): OwnSignals {
  const perMinute = (n: number) => (60 * n) / p.seconds
  const maxShare = Math.log(p.seconds / team.seconds + 0.05) / Math.log(30) + 0.99
  const shareRatio = p.kills / team.kills / maxShare
  return {
    kills: logistic(-0.15, 40, perMinute(p.kills)),
    grenade: logistic(-0.35, 20, Math.max(0, perMinute(p.grenade) - perMinute(p.melee))),
    // No weapon definitions in the fixture: zero heavy kills, still logistic(−13, 0.8) at 0 × volume.
    heavy: logistic(-13, 0.8, 0) * (Math.min(100, sum(p.weaponKills)) / 100),
    super: logistic(-0.75, 6, perMinute(p.supers)),
    weapons: weaponSignal(p.weaponKills, p.seconds, p.finished),
    share: shareRatio > 1 && team.kills > 20 ? logistic(-7, 1.48, shareRatio) : 0,
  }
}

function ownBits(s: OwnSignals): bigint {
  const pairs: [number, bigint][] = [
    [s.kills, CheatBit.PlayerTotalKills],
    [s.grenade, CheatBit.PlayerGrenadeKills],
    [s.heavy, CheatBit.PlayerHeavyAmmoKills],
    [s.super, CheatBit.PlayerSuperKills],
    [s.weapons, CheatBit.PlayerWeaponDiversity],
    [s.share, CheatBit.PlayerKillsShare],
  ]
  return pairs.reduce((bits, [p, bit]) => (p > 0.02 ? bits | bit : bits), 0n)
}

const values = (s: OwnSignals) => [s.kills, s.grenade, s.heavy, s.super, s.weapons, s.share]

function zeroCombat(player: CheatPlayer): void {
  for (const c of player.characters) {
    c.kills = 0
    c.grenadeKills = 0
    c.meleeKills = 0
    c.superKills = 0
    c.precisionKills = 0
    c.weapons = []
  }
}

describe("time dilation: Root of Nightmares, abandoned (14720975287), its clock stretched to 40,000 s", () => {
  const instance = loadFixture("14720975287.json")
  // The six players' time stays (4,801-4,803 s each); the kill feed is dropped so only the clock speaks.
  instance.players.forEach(zeroCombat)
  instance.durationSeconds = 40_000
  instance.dateCompleted = new Date(instance.dateStarted.getTime() + 40_000_000)
  const verdict = checkInstance(instance, DEFAULT_HEURISTICS, "test")

  const times = instance.players.map((p) => p.timePlayedSeconds)
  const dilation = logistic(12, 0.6, sum(times) / 40_000)
  // No kills: participation is logistic(−1.6 − 0.35·(6 − 6), 3 + ..., 0) for a six-player run.
  const participation = logistic(-1.6, 3, 0)
  const own = [logistic(-0.15, 40, 0), logistic(-0.35, 20, 0), 0, logistic(-0.75, 6, 0), 0.5 * Math.exp(-30), 0]
  // Nobody finished: damped by logistic(0.0052, 220, time played) + 1.
  const expectedPlayers = times.map((t) => any(atLeastTwo(own), participation * dilation) / (logistic(0.0052, 220, t) + 1))

  test("the instance is flagged TimeDilation with 1 − Π(1 − p) of dilation and two-plus cheaters", () => {
    expect(sum(times)).toBe(28_812)
    expect(dilation).toBeCloseTo(0.191, 3)
    expect(verdict.instanceBits).toBe(CheatBit.RootOfNightmares | CheatBit.TimeDilation)
    expect(verdict.instanceProbability).toBeCloseTo(any(dilation, atLeastTwo(expectedPlayers)), 10)
  })

  test("each player carries a participation share of it, damped for not finishing", () => {
    expect(verdict.players.map((p) => p.probability)).toEqual(expectedPlayers.map((p) => expect.closeTo(p, 12)))
    for (const p of verdict.players) expect(p.bits).toBe(CheatBit.RootOfNightmares)
  })

  test("the same run with its real clock shows no dilation", () => {
    const real = loadFixture("14720975287.json")
    real.players.forEach(zeroCombat)
    expect(checkInstance(real, DEFAULT_HEURISTICS, "test").instanceBits & CheatBit.TimeDilation).toBe(0n)
  })
})

describe("absurd kills per minute: Salvation's Edge fresh six (17091392013), one player at 2,000 kills", () => {
  const instance = loadFixture("17091392013.json")
  const cheater = instance.players.find((p) => p.membershipId === 4611686018445419097n)!
  cheater.characters[0]!.kills = 2000
  const verdict = checkInstance(instance, DEFAULT_HEURISTICS, "test")

  const teamKills = 834 - 226 + 2000
  const teamSeconds = sum(instance.players.map((p) => p.timePlayedSeconds))
  const signals = ownSignals(
    { seconds: 1244, kills: 2000, grenade: 11, melee: 28, supers: 9, weaponKills: [73, 16, 1, 1, 25, 3, 37, 3, 5], finished: true },
    { kills: teamKills, seconds: teamSeconds },
  )
  // The instance signals this player shares in: too few kills (none left) and speed.
  const killsSignal = logistic(20, 0.83, (teamKills + 1) / 876) * logistic(-0.04, 60, 876)
  const days = daysAfterRelease(14, instance.dateCompleted)
  const record = 2102.45 - 58.14 * Math.log10((days + 1) ** 10)
  const expectedRecord = record * (6 / (teamSeconds / 1246)) ** 0.2
  const speedSignal = logistic(40, 0.93, (1246 - 25) / expectedRecord)
  const versusExpected = (2000 / (teamKills + 1)) ** 1.25 / (1244 / (teamSeconds + 1))
  const participation = logistic(-1.6, 3, versusExpected * 2.5 * (2001 / (teamKills + 1)))
  const expected = any(atLeastTwo(values(signals)), participation * killsSignal, participation * speedSignal)

  test("the player is flagged for kill rate and kill share", () => {
    expect(teamSeconds).toBe(7466)
    expect(signals.kills).toBeGreaterThan(0.999)
    expect(signals.share).toBeGreaterThan(0.3)
    const verdictOf = verdict.players.find((p) => p.membershipId === cheater.membershipId)!
    expect(verdictOf.probability).toBeCloseTo(expected, 10)
    expect(verdictOf.bits).toBe(CheatBit.SalvationsEdge | ownBits(signals))
    expect(verdictOf.bits & (CheatBit.PlayerTotalKills | CheatBit.PlayerKillsShare)).toBe(
      CheatBit.PlayerTotalKills | CheatBit.PlayerKillsShare,
    )
  })

  test("one cheating player alone does not flag the run (that takes two)", () => {
    expect(verdict.instanceProbability).toBeLessThan(0.05)
    expect(verdict.instanceBits).toBe(CheatBit.SalvationsEdge)
  })
})

describe("solo flawless: Root of Nightmares (14287236297)", () => {
  const player = {
    seconds: 3187,
    kills: 747,
    grenade: 6,
    melee: 202,
    supers: 22,
    weaponKills: [6, 29, 5, 42, 207, 26, 7, 2, 9, 10, 2, 1],
    finished: true,
  }
  const signals = ownSignals(player, { kills: 747, seconds: 3187 })
  const own = atLeastTwo(values(signals))

  /** Instance signals of this run as a fresh solo of `activityId`: kills against the minimum, speed against the curve. */
  function instanceSignals(activityId: number, minKills: number, completed: Date, curve: [number, number, number, number]) {
    const kills = logistic(20, 0.83, 748 / (minKills + 1)) * logistic(-0.04, 60, minKills + 1)
    const [a, b, c, d] = curve
    const record = a - b * Math.log10((daysAfterRelease(activityId, completed) + c) ** d)
    // One body: the record is slower by (6 / 1)^0.2.
    const speed = logistic(40, 0.93, (3187 - 25) / (record * 6 ** 0.2))
    return { kills, speed }
  }

  test("as played: no lowman rule for Root, so the solo merge of instance and player is all there is", () => {
    const instance = loadFixture("14287236297.json")
    const verdict = checkInstance(instance, DEFAULT_HEURISTICS, "test")
    const { kills, speed } = instanceSignals(12, 430, instance.dateCompleted, [924.81, 40.46, 1, 4.11])
    const expected = any(any(kills, speed), own)
    expect(verdict.instanceProbability).toBeCloseTo(expected, 12)
    expect(verdict.instanceProbability).toBeLessThan(0.05)
    expect(verdict.instanceBits).toBe(CheatBit.RootOfNightmares | CheatBit.Solo | ownBits(signals))
    expect(verdict.players).toHaveLength(1)
    expect(verdict.players[0]!.probability).toBe(verdict.instanceProbability)
    expect(verdict.players[0]!.bits).toBe(verdict.instanceBits)
  })

  function asDeepStoneCrypt(completedIso: string): CheatInstance {
    const instance = loadFixture("14287236297.json")
    instance.activityId = 8
    instance.dateCompleted = new Date(completedIso)
    instance.dateStarted = new Date(instance.dateCompleted.getTime() - 3187_000)
    instance.daysSinceRelease = daysAfterRelease(8, instance.dateCompleted)
    return instance
  }

  test("as a Deep Stone Crypt solo flawless after solos became possible: √0.20 unlikely lowman", () => {
    const instance = asDeepStoneCrypt("2024-10-01T12:00:00Z")
    const verdict = checkInstance(instance, DEFAULT_HEURISTICS, "test")
    const { kills, speed } = instanceSignals(8, 500, instance.dateCompleted, [918.75, 43.74, 1, 2.4])
    const lowman = Math.sqrt(0.2)
    expect(verdict.instanceProbability).toBeCloseTo(any(any(kills, speed, lowman), own), 12)
    expect(verdict.instanceBits).toBe(CheatBit.DeepStoneCrypt | CheatBit.UnlikelyLowman | CheatBit.Solo | ownBits(signals))
  })

  test("the same before the window (2024-09-12): near-certain, TooFewPlayersFresh", () => {
    const instance = asDeepStoneCrypt("2024-06-01T12:00:00Z")
    const verdict = checkInstance(instance, DEFAULT_HEURISTICS, "test")
    const { kills, speed } = instanceSignals(8, 500, instance.dateCompleted, [918.75, 43.74, 1, 2.4])
    expect(verdict.instanceProbability).toBeCloseTo(any(any(kills, speed, 0.995), own), 12)
    expect(verdict.instanceProbability).toBeGreaterThanOrEqual(0.99)
    expect(verdict.instanceBits).toBe(
      CheatBit.DeepStoneCrypt | CheatBit.UnlikelyLowman | CheatBit.TooFewPlayersFresh | CheatBit.Solo | ownBits(signals),
    )
  })
})

import { describe, expect, test } from "bun:test"
import { CheatBit } from "./bits.ts"
import { checkInstance } from "./check-instance.ts"
import { DEFAULT_HEURISTICS, VersionId } from "./heuristics-table.ts"
import { evaluateLowman } from "./lowman.ts"
import { buildSyntheticRun, type SyntheticRunOptions } from "./synthetic-run.ts"

const logistic = (k: number, x0: number, x: number) => 1 / (1 + Math.exp(k * (x - x0)))

const RELEASES: Record<number, string> = {
  2: "2017-12-08T18:00:00Z",
  7: "2019-10-05T17:00:00Z",
  9: "2021-05-22T17:00:00Z",
  11: "2022-08-26T17:00:00Z",
  15: "2025-07-19T17:00:00Z",
  102: "2026-06-09T17:00:00Z",
}

function lowmanOf(options: Partial<SyntheticRunOptions> & { activityId: number; players: number; dateCompleted: Date }) {
  const instance = buildSyntheticRun({
    versionId: VersionId.Standard,
    activityReleaseDate: new Date(RELEASES[options.activityId]!),
    durationSeconds: 1800,
    totalKills: 800,
    ...options,
  })
  return evaluateLowman(instance, DEFAULT_HEURISTICS.activities.get(options.activityId)!, DEFAULT_HEURISTICS.lowmanExemptions)
}

describe("lowman rules", () => {
  test("a checkpoint duo faster than the rule's minimum time: logistic(15, 0.82) on duration / minimum", () => {
    // Garden of Salvation checkpoint: duos need 5 minutes; this one took 200 s.
    const result = lowmanOf({
      activityId: 7,
      players: 2,
      fresh: false,
      durationSeconds: 200,
      dateCompleted: new Date("2024-03-01T00:00:00Z"),
    })
    expect(result.probability).toBeCloseTo(logistic(15, 0.82, 200 / 300), 12)
    expect(result.bits).toBe(CheatBit.GardenOfSalvation | CheatBit.FastLowmanCheckpoint | CheatBit.UnlikelyLowman)
  })

  test("a flawless run at the minimum team size: the base chance's square root", () => {
    // King's Fall checkpoint duo, base chance 0.05, not fast.
    const result = lowmanOf({ activityId: 11, players: 2, fresh: false, flawless: true, dateCompleted: new Date("2024-03-01T00:00:00Z") })
    expect(result.probability).toBeCloseTo(Math.sqrt(0.05), 12)
    expect(result.bits).toBe(CheatBit.KingsFall | CheatBit.UnlikelyLowman)
    const notFlawless = lowmanOf({ activityId: 11, players: 2, fresh: false, dateCompleted: new Date("2024-03-01T00:00:00Z") })
    expect(notFlawless.probability).toBe(0.05)
    // 0.05 is not above the reporting threshold: no UnlikelyLowman.
    expect(notFlawless.bits).toBe(CheatBit.KingsFall)
  })

  test("Insurrection Prime Revolutionary trios get their own 0.35 (the original's rule order hid it behind 0.995)", () => {
    const base = { activityId: 102, versionId: VersionId.InsurrectionPrimeRevolutionary, dateCompleted: new Date("2026-09-01T00:00:00Z") }
    expect(lowmanOf({ ...base, players: 3 }).probability).toBe(0.35)
    expect(lowmanOf({ ...base, players: 4 }).probability).toBe(0.15)
    expect(lowmanOf({ ...base, players: 2 }).probability).toBe(0.995)
  })

  test("Eater of Worlds Prestige uses its own window, keyed by the real Prestige id (3), not Guided Games (2)", () => {
    // A solo Argos checkpoint after the any-version window opened (2018-08-29), before Prestige's (2018-10-25).
    const base = { activityId: 2, players: 1, fresh: false, dateCompleted: new Date("2018-09-15T00:00:00Z") }
    expect(lowmanOf({ ...base, versionId: VersionId.Prestige }).bits & CheatBit.TooFewPlayersCheckpoint).toBe(
      CheatBit.TooFewPlayersCheckpoint,
    )
    expect(lowmanOf({ ...base, versionId: VersionId.Prestige }).probability).toBe(0.995)
    expect(lowmanOf({ ...base, versionId: VersionId.Standard }).probability).toBe(0)
    expect(lowmanOf({ ...base, versionId: VersionId.GuidedGames }).probability).toBe(0)
  })

  test("Morgeth Surpassing is exempt (knock-off strat); other Pantheon bosses are not", () => {
    const base = { activityId: 102, players: 2, dateCompleted: new Date("2026-09-01T00:00:00Z") }
    expect(lowmanOf({ ...base, versionId: VersionId.MorgethSurpassing }).probability).toBe(0)
    expect(lowmanOf({ ...base, versionId: VersionId.CalusResplendent }).probability).toBe(0.15)
  })

  test("the bubble push-off window exempts Desert Perpetual runs and Vault of Glass checkpoints, not VoG fresh runs", () => {
    const during = new Date("2026-06-18T00:00:00Z")
    const after = new Date("2026-06-24T00:00:00Z")
    expect(lowmanOf({ activityId: 15, players: 1, dateCompleted: during }).probability).toBe(0)
    expect(lowmanOf({ activityId: 15, players: 1, dateCompleted: after }).probability).toBe(0.995)
    expect(lowmanOf({ activityId: 9, players: 1, fresh: false, durationSeconds: 900, dateCompleted: during }).probability).toBe(0)
    // A fresh VoG solo inside its own window (from 2024-07-14) keeps its 0.20 base chance.
    expect(lowmanOf({ activityId: 9, players: 1, dateCompleted: during }).probability).toBe(0.2)
  })

  test("incomplete runs have no lowman signal", () => {
    expect(lowmanOf({ activityId: 15, players: 1, completed: false, dateCompleted: new Date("2026-09-01T00:00:00Z") }).probability).toBe(0)
  })
})

describe("skipped runs", () => {
  const run = (activityId: number, completed: boolean) =>
    buildSyntheticRun({
      activityId,
      versionId: VersionId.Standard,
      activityReleaseDate: new Date(RELEASES[activityId] ?? "2021-05-22T17:00:00Z"),
      dateCompleted: new Date("2024-03-01T00:00:00Z"),
      durationSeconds: 1800,
      players: 1,
      totalKills: 10,
      completed,
    })

  test("incomplete Last Wish and King's Fall runs are not checked; other incomplete runs are", () => {
    expect(checkInstance(run(11, false), DEFAULT_HEURISTICS, "v").skipped).toEqual({ kind: "incompleteExcluded" })
    expect(checkInstance(run(4, false), DEFAULT_HEURISTICS, "v").skipped).toEqual({ kind: "incompleteExcluded" })
    expect(checkInstance(run(11, true), DEFAULT_HEURISTICS, "v").skipped).toBeNull()
    expect(checkInstance(run(9, false), DEFAULT_HEURISTICS, "v").skipped).toBeNull()
  })

  test("touching a bad-data window's edge is not overlapping it", () => {
    const instance = run(9, true)
    instance.dateCompleted = new Date("2023-09-15T13:54:00Z")
    instance.dateStarted = new Date(instance.dateCompleted.getTime() - 1800_000)
    expect(checkInstance(instance, DEFAULT_HEURISTICS, "v").skipped).toBeNull()
    instance.dateCompleted = new Date("2023-09-15T13:54:01Z")
    expect(checkInstance(instance, DEFAULT_HEURISTICS, "v").skipped).toEqual({ kind: "badDataWindow", window: "craftening" })
  })

  test("the verdict carries the version it was computed with", () => {
    expect(checkInstance(run(9, true), DEFAULT_HEURISTICS, "ts-9.9.9").version).toBe("ts-9.9.9")
  })
})

/**
 * The per-raid table, one block per activity: a normal run passes, a team below the raid's record
 * is near-certain, a run beating the speedrun curve is TooFast (no curve, no TooFast), and a run
 * in a bad-data window is skipped. Plus the table's own consistency with our seeds.
 */
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { CheatBit, nameBits } from "./bits.ts"
import { checkInstance } from "./check-instance.ts"
import { ACTIVITY_HEURISTICS, DEFAULT_HEURISTICS, VersionId } from "./heuristics-table.ts"
import type { ActivityHeuristic, LowmanRule } from "./heuristics-types.ts"
import { buildSyntheticRun, type SyntheticRunOptions } from "./synthetic-run.ts"

const DAY_MS = 86_400_000

interface SeedStep {
  tables: Record<string, Record<string, unknown>[]>
}
const seed = JSON.parse(readFileSync(resolve(import.meta.dir, "../../../sql/seeds/definitions.json"), "utf8")) as { steps: SeedStep[] }
const seedRows = (table: string) => seed.steps.flatMap((s) => s.tables[table] ?? [])
const releaseOf = new Map(seedRows("activity_definition").map((r) => [r.id as number, new Date(r.release_date as string)]))
const versionRows = new Map(seedRows("version_definition").map((r) => [r.id as number, r]))

/** The version a table test runs: Standard, or the first version with rules of its own (Pantheon). */
function versionOf(h: ActivityHeuristic): number {
  const [first] = h.freshLowman.byVersion.keys()
  return h.freshLowman.anyVersion.length === 0 && first !== undefined ? first : VersionId.Standard
}

/** WR(days) = a − b·log10((days + c)^d), written out here rather than taken from the code. */
function worldRecord(h: ActivityHeuristic, days: number): number {
  const { a, b, c, d } = h.speedrunCurve!
  return a - b * Math.log10((days + c) ** d)
}

function run(h: ActivityHeuristic, overrides: Partial<SyntheticRunOptions> = {}) {
  const release = releaseOf.get(h.activityId)!
  const dateCompleted = overrides.dateCompleted ?? new Date(release.getTime() + 400 * DAY_MS)
  const days = (dateCompleted.getTime() - release.getTime()) / DAY_MS
  const record = h.speedrunCurve ? worldRecord(h, days) : 0
  return buildSyntheticRun({
    activityId: h.activityId,
    versionId: versionOf(h),
    activityReleaseDate: release,
    dateCompleted,
    // Three times the record and at least 40 minutes: an ordinary team.
    durationSeconds: Math.max(2400, Math.ceil(3 * record)),
    players: 6,
    totalKills: Math.max(600, 2 * h.minFreshKills),
    ...overrides,
  })
}

function lowmanRulesOf(h: ActivityHeuristic): readonly LowmanRule[] {
  return h.freshLowman.byVersion.get(versionOf(h)) ?? h.freshLowman.anyVersion
}

describe("the table matches our definitions", () => {
  test("every activity is seeded and every version key is a version of it", () => {
    for (const h of ACTIVITY_HEURISTICS) {
      expect([h.name, releaseOf.has(h.activityId)]).toEqual([h.name, true])
      for (const rules of [h.freshLowman, h.checkpointLowman]) {
        for (const versionId of rules.byVersion.keys()) {
          const row = versionRows.get(versionId)
          expect([h.name, versionId, row !== undefined]).toEqual([h.name, versionId, true])
          const owner = row!.associated_activity_id as number | null
          expect([h.name, versionId, owner === null || owner === h.activityId]).toEqual([h.name, versionId, true])
        }
      }
    }
  })

  test("version constants are our seed's ids (the original swapped Prestige and Guided Games)", () => {
    expect(versionRows.get(VersionId.Prestige)!.name).toBe("Prestige")
    expect(versionRows.get(VersionId.GuidedGames)!.name).toBe("Guided Games")
    expect(versionRows.get(VersionId.Master)!.name).toBe("Master")
    expect(versionRows.get(VersionId.InsurrectionPrimeRevolutionary)!.name).toBe("Insurrection Prime Revolutionary")
  })

  test("raid bits are distinct and rule lists ascend by team size", () => {
    const bits = ACTIVITY_HEURISTICS.map((h) => h.raidBit)
    expect(new Set(bits).size).toBe(bits.length)
    for (const h of ACTIVITY_HEURISTICS) {
      for (const list of [
        h.freshLowman.anyVersion,
        h.checkpointLowman.anyVersion,
        ...h.freshLowman.byVersion.values(),
        ...h.checkpointLowman.byVersion.values(),
      ]) {
        const sizes = list.map((r) => r.minPlayers)
        expect(sizes).toEqual([...sizes].sort((a, b) => a - b))
      }
    }
  })
})

for (const h of ACTIVITY_HEURISTICS) {
  describe(`${h.name} (${h.activityId})`, () => {
    test("a normal six-player fresh run scores < 0.05, every player too", () => {
      const verdict = checkInstance(run(h), DEFAULT_HEURISTICS, "test")
      expect(verdict.skipped).toBeNull()
      expect(verdict.instanceProbability).toBeLessThan(0.05)
      expect(nameBits(verdict.instanceBits)).toEqual(nameBits(h.raidBit))
      for (const player of verdict.players) expect(player.probability).toBeLessThan(0.05)
    })

    const [smallest] = lowmanRulesOf(h)
    if (!smallest) {
      test("has no fresh lowman rules: a duo is not a lowman signal", () => {
        const verdict = checkInstance(run(h, { players: 2 }), DEFAULT_HEURISTICS, "test")
        expect(verdict.instanceBits & (CheatBit.TooFewPlayersFresh | CheatBit.UnlikelyLowman)).toBe(0n)
      })
    } else if (smallest.minPlayers > 1) {
      test(`${smallest.minPlayers - 1} players, below the record of ${smallest.minPlayers}, score ≥ 0.99 with TooFewPlayersFresh`, () => {
        const verdict = checkInstance(run(h, { players: smallest.minPlayers - 1 }), DEFAULT_HEURISTICS, "test")
        expect(verdict.instanceProbability).toBeGreaterThanOrEqual(0.99)
        expect(verdict.instanceBits & (h.raidBit | CheatBit.TooFewPlayersFresh)).toBe(h.raidBit | CheatBit.TooFewPlayersFresh)
      })
    } else {
      test("a solo run before solos became possible scores ≥ 0.99 with TooFewPlayersFresh", () => {
        const before = new Date(smallest.allowedWindows[0]!.start.getTime() - 30 * DAY_MS)
        const verdict = checkInstance(run(h, { players: 1, dateCompleted: before }), DEFAULT_HEURISTICS, "test")
        expect(verdict.instanceProbability).toBeGreaterThanOrEqual(0.99)
        expect(verdict.instanceBits & (h.raidBit | CheatBit.TooFewPlayersFresh | CheatBit.Solo)).toBe(
          h.raidBit | CheatBit.TooFewPlayersFresh | CheatBit.Solo,
        )
      })
    }

    if (h.speedrunCurve) {
      test("a fresh run in half the curve's record is TooFast", () => {
        const record = worldRecord(h, 400)
        const verdict = checkInstance(run(h, { durationSeconds: Math.round(record / 2) }), DEFAULT_HEURISTICS, "test")
        expect(verdict.instanceBits & CheatBit.TooFast).toBe(CheatBit.TooFast)
        expect(verdict.instanceProbability).toBeGreaterThanOrEqual(0.95)
      })
    } else {
      test("has no speedrun curve: even a two-minute fresh run is not TooFast from a curve", () => {
        const versionId = h.freshDurationFloor ? VersionId.MorgethSurpassing : versionOf(h)
        const verdict = checkInstance(run(h, { durationSeconds: 120, versionId }), DEFAULT_HEURISTICS, "test")
        expect(verdict.instanceBits & CheatBit.TooFast).toBe(0n)
      })
    }

    test("a run overlapping the bow-mod bad-data window is skipped", () => {
      const verdict = checkInstance(run(h, { dateCompleted: new Date("2026-01-30T12:00:00Z"), players: 1 }), DEFAULT_HEURISTICS, "test")
      expect(verdict.skipped).toEqual({ kind: "badDataWindow", window: "bow mod" })
      expect(verdict.instanceProbability).toBe(0)
      expect(verdict.instanceBits).toBe(0n)
      expect(verdict.players).toEqual([])
    })
  })
}

describe("record-four raids", () => {
  for (const activityId of [1, 2]) {
    test(`a fresh duo of activity ${activityId} scores ≥ 0.99 with TooFewPlayersFresh`, () => {
      const h = DEFAULT_HEURISTICS.activities.get(activityId)!
      expect(lowmanRulesOf(h)[0]!.minPlayers).toBe(4)
      const verdict = checkInstance(run(h, { players: 2 }), DEFAULT_HEURISTICS, "test")
      expect(verdict.instanceProbability).toBeGreaterThanOrEqual(0.99)
      expect(nameBits(verdict.instanceBits)).toContain("TooFewPlayersFresh")
      expect(verdict.instanceBits & h.raidBit).toBe(h.raidBit)
    })
  }
})

describe("Pantheon: Monument of Triumph floors", () => {
  const h = DEFAULT_HEURISTICS.activities.get(102)!
  const calus = { versionId: VersionId.CalusResplendent, durationSeconds: 500 }

  test("500 s clears Calus Resplendent's 7-minute floor", () => {
    expect(checkInstance(run(h, calus), DEFAULT_HEURISTICS, "test").instanceBits & CheatBit.TooFast).toBe(0n)
  })

  test("with Battalions (+1 min) and Cutthroat (+2 min) the floor is 10 minutes and 500 s is TooFast", () => {
    const verdict = checkInstance(run(h, { ...calus, skullHashes: [2392637702, 2673088233] }), DEFAULT_HEURISTICS, "test")
    // logistic(k = 18, x0 = 0.72) at 500 / 600.
    const expected = 1 / (1 + Math.exp(18 * (500 / 600 - 0.72)))
    expect(verdict.instanceBits & CheatBit.TooFast).toBe(CheatBit.TooFast)
    expect(verdict.instanceProbability).toBeGreaterThanOrEqual(expected)
    expect(verdict.instanceProbability).toBeLessThan(expected + 0.01)
  })
})

import { describe, expect, test } from "bun:test"
import { DEFAULT_GAP_EVIDENCE, evidenceTime, judgeGap, judgeRecheck } from "./gap-evidence.ts"

const MIN = 60_000
const T = Date.parse("2026-12-03T12:00:00Z")

describe("gap evidence", () => {
  test("at the live head, a one-id range is left to the fetchers as a hole (issue 13's lost id)", () => {
    const verdict = judgeGap({ from: 17_200_005_308n, to: 17_200_005_309n, searchedAt: T, seenAt: T + 200, completedAt: T - 20_000 })
    expect(verdict).toEqual({ action: "holes" })
  })

  test("a dead block at the head is held until the ids past it are older than the window", () => {
    const verdict = judgeGap({ from: 1_000n, to: 16_680n, searchedAt: T, seenAt: T + 5_000, completedAt: T - 10_000 })
    // Seen 5 s after the search began: earlier than its completion + the creation delay.
    const evidenceAt = T + 5_000
    expect(verdict).toEqual({ action: "pending", evidenceAt, dueAt: evidenceAt + 15 * MIN })
    // The recheck must not run early, records only the same end, and gives the ids back otherwise.
    const pending = { from: 1_000n, to: 16_680n, evidenceAt }
    expect(judgeRecheck(pending, evidenceAt + 14 * MIN, 16_680n)).toBe("wait")
    expect(judgeRecheck(pending, evidenceAt + 15 * MIN, 16_680n)).toBe("record")
    expect(judgeRecheck(pending, evidenceAt + 15 * MIN, 9_000n)).toBe("holes")
    expect(judgeRecheck(pending, evidenceAt + 15 * MIN, null)).toBe("holes")
  })

  test("deep in history (a backfill) the evidence already stands: recorded at once", () => {
    const verdict = judgeGap({ from: 1_000n, to: 16_680n, searchedAt: T, seenAt: T + 1_000, completedAt: T - 3 * 86_400_000 })
    expect(verdict).toEqual({ action: "record" })
  })

  test("the window is the setting's; without a completion time only our own sighting counts", () => {
    const o = { ...DEFAULT_GAP_EVIDENCE, lateWindowMs: MIN }
    expect(judgeGap({ from: 1n, to: 2_000n, searchedAt: T, seenAt: T - 2 * MIN, completedAt: null }, o)).toEqual({ action: "record" })
    expect(judgeGap({ from: 1n, to: 2_000n, searchedAt: T, seenAt: T - 30_000, completedAt: null }, o).action).toBe("pending")
    expect(evidenceTime({ seenAt: T, completedAt: Number.NaN })).toBe(T)
    // A completion time in the future (clock skew) never makes evidence later than our sighting.
    expect(evidenceTime({ seenAt: T, completedAt: T + 10 * MIN })).toBe(T)
  })
})

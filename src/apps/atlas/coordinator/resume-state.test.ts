import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../../../lib/math/seeded-random.ts"
import { ClaimTimeline } from "./claim-timeline.ts"
import { pendingGapsOf, restoredIds } from "./pending-gaps.ts"
import { ResolutionTracker } from "./resolution-tracker.ts"
import {
  captureRuns,
  decodeResumeRuns,
  encodeResumeRuns,
  planResume,
  type ResumeState,
  resolvedPieces,
  type UnresolvedRun,
} from "./resume-state.ts"

const run = (from: bigint, to: bigint, since: number, pendingGap = false): UnresolvedRun => ({ from, to, since, pendingGap })

describe("unresolved runs above the low-water mark", () => {
  test("the complement of what was resolved, singles and gap ranges alike", () => {
    const tracker = new ResolutionTracker(100n)
    tracker.resolveMany([101n, 102n, 105n, 110n])
    tracker.resolveRange(120n, 150n)
    expect(tracker.unresolvedRuns(160n)).toEqual([
      { from: 100n, to: 101n },
      { from: 103n, to: 105n },
      { from: 106n, to: 110n },
      { from: 111n, to: 120n },
      { from: 150n, to: 160n },
    ])
    // Bounded: one run more than asked says where to cut.
    expect(tracker.unresolvedRuns(160n, 2).length).toBe(3)
    expect(tracker.unresolvedRuns(100n)).toEqual([])
  })

  test("a restarted tracker resolving the stored complement has the same runs and mark", () => {
    const random = createSeededRandom(13)
    const before = new ResolutionTracker(1_000n)
    const cursor = 6_000n
    for (let id = 1_000n; id < cursor; id++) if (random() > 0.02) before.resolve(id)
    const runs = before.unresolvedRuns(cursor).map((r) => run(r.from, r.to, 5))
    const state = planResume(before.lowWater, cursor, runs)
    const decoded = decodeResumeRuns(encodeResumeRuns(state, 1_000_000), state.lowWater, state.highWater)
    const after = new ResolutionTracker(decoded.lowWater)
    after.restore(resolvedPieces(decoded))
    expect(after.lowWater).toBe(before.lowWater)
    expect(after.unresolvedRuns(cursor)).toEqual(before.unresolvedRuns(cursor))
    expect(after.total).toBe(0)
    // Resolving the rest moves the mark to the cursor, exactly as in the first run.
    for (const r of decoded.unresolved) for (let id = r.from; id < r.to; id++) after.resolve(id)
    expect(after.lowWater).toBe(cursor)
  })
})

describe("resume state encoding", () => {
  test("round trip: runs, ages and pending gaps survive", () => {
    const state: ResumeState = {
      lowWater: 17_200_001_080n,
      highWater: 17_200_015_031n,
      unresolved: [
        run(17_200_001_080n, 17_200_001_081n, 1_000_000 - 540_000),
        run(17_200_003_000n, 17_200_003_240n, 1_000_000 - 61_000),
        run(17_200_004_000n, 17_200_019_680n - 4_700n, 1_000_000 - 30_000, true),
        run(17_200_015_020n, 17_200_015_031n, 1_000_000),
      ],
    }
    const bytes = encodeResumeRuns(state, 1_000_000)
    expect(bytes.length).toBeLessThan(40)
    expect(decodeResumeRuns(bytes, state.lowWater, state.highWater)).toEqual(state)
  })

  test("malformed bytes are refused, never misread", () => {
    const state: ResumeState = { lowWater: 10n, highWater: 100n, unresolved: [run(10n, 12n, 5), run(50n, 60n, 7)] }
    const bytes = encodeResumeRuns(state, 10)
    expect(() => decodeResumeRuns(bytes.slice(0, bytes.length - 1), 10n, 100n)).toThrow()
    expect(() => decodeResumeRuns(Uint8Array.from([...bytes, 0]), 10n, 100n)).toThrow()
    expect(() => decodeResumeRuns(bytes, 10n, 55n)).toThrow()
    expect(() => decodeResumeRuns(Uint8Array.from([9, ...bytes.slice(1)]), 10n, 100n)).toThrow()
  })

  test("over its bounds the state is cut and the high-water mark moves down to the cut", () => {
    const runs = Array.from({ length: 10 }, (_, i) => run(BigInt(i * 10), BigInt(i * 10 + 3), 0))
    const byRuns = planResume(0n, 200n, runs, { maxRuns: 4, maxIds: 1_000 })
    expect(byRuns.unresolved.length).toBe(4)
    expect(byRuns.highWater).toBe(40n)
    const byIds = planResume(0n, 200n, runs, { maxRuns: 100, maxIds: 7 })
    expect(byIds.unresolved.length).toBe(2)
    expect(byIds.highWater).toBe(20n)
    // Pending gaps cost no ids (they are not fetched on restart).
    const withGap = planResume(0n, 200n, [run(0n, 150n, 0, true), run(160n, 163n, 0)], { maxRuns: 100, maxIds: 7 })
    expect(withGap.highWater).toBe(200n)
    expect(resolvedPieces(withGap)).toEqual([
      { from: 150n, to: 160n },
      { from: 163n, to: 200n },
    ])
    expect(() => planResume(10n, 200n, [run(5n, 12n, 0)])).toThrow()
  })
})

describe("claim timeline", () => {
  test("an id was claimed by the first sample whose cursor is past it; restored ids keep their time", () => {
    const timeline = new ClaimTimeline()
    timeline.restore([{ from: 90n, to: 95n, since: 1 }])
    timeline.note(1_000, 100n)
    timeline.note(1_500, 140n)
    timeline.note(2_000, 140n)
    timeline.note(2_500, 200n)
    expect(timeline.claimedAt(92n, 9)).toBe(1)
    expect(timeline.claimedAt(99n, 9)).toBe(1_000)
    expect(timeline.claimedAt(100n, 9)).toBe(1_500)
    expect(timeline.claimedAt(150n, 9)).toBe(2_500)
    expect(timeline.claimedAt(200n, 9)).toBe(9)
    timeline.prune(150n)
    expect(timeline.size).toBe(1)
    expect(timeline.claimedAt(150n, 9)).toBe(2_500)
  })
})

describe("pending gaps across a restart", () => {
  test("captured as flagged runs dated by their evidence; restored as one gap and not handed back", () => {
    // Unresolved: [100, 110) claimed, [200, 16_000) a held dead block in which 2 ids had resolved
    // before it was held, [16_000, 16_005) claimed after it.
    const tracker = new ResolutionTracker(100n)
    tracker.restore([
      { from: 110n, to: 200n },
      { from: 5_000n, to: 5_002n },
    ])
    const runs = tracker.unresolvedRuns(16_005n)
    const gap = { from: 200n, to: 16_000n, evidenceAt: 7_777 }
    const captured = captureRuns(runs, [gap], (id) => Number(id))
    expect(captured).toEqual([
      run(100n, 110n, 109),
      run(200n, 5_000n, 7_777, true),
      run(5_002n, 16_000n, 7_777, true),
      run(16_000n, 16_005n, 16_004),
    ])
    const state = decodeResumeRuns(encodeResumeRuns(planResume(100n, 16_005n, captured), 20_000), 100n, 16_005n)
    expect(pendingGapsOf(state, 900_000)).toEqual([{ from: 200n, to: 16_000n, evidenceAt: 7_777, dueAt: 907_777 }])
    const back = restoredIds(state)
    expect([...back.ids]).toEqual([100n, 101n, 102n, 103n, 104n, 105n, 106n, 107n, 108n, 109n, 16_000n, 16_001n, 16_002n, 16_003n, 16_004n])
    expect(back.since[0]).toBe(109)
    expect(back.since[14]).toBe(16_004)
  })
})

/**
 * The coordinator's gap decisions with a scripted PGCR endpoint and an injected clock (no I/O):
 * a dead block found at the head is held pending, then recorded once the window has passed, or
 * given back to the fetchers when a late clump appeared inside it; a tiny range is left as holes.
 */
import { describe, expect, test } from "bun:test"
import type { Sql } from "../../../lib/database/postgres.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { createSharedLimiter } from "../../../lib/ratelimit/index.ts"
import { IdSpace } from "../shared/id-space.ts"
import { AtlasMetrics } from "./atlas-metrics.ts"
import type { ControllerDecision, FrontierController } from "./controller/index.ts"
import { Coordinator } from "./coordinator.ts"
import { DEFAULT_GAP_EVIDENCE } from "./gap-evidence.ts"

const T0 = Date.parse("2026-12-03T12:00:00Z")
const WINDOW = DEFAULT_GAP_EVIDENCE.lateWindowMs

function harness(exists: (id: bigint) => boolean) {
  let clock = T0
  let suspect = false
  const decision = (): ControllerDecision => ({
    ceiling: space.cursor,
    window: 0,
    leadSec: 0,
    share404: 1,
    firstTriesPerSec: 0,
    resolvedPerSec: 0,
    lagP50Ms: 0,
    lagP90Ms: 0,
    lagP99Ms: 0,
    frontierEstimate: null,
    idRate: 50,
    deadBlockSuspected: suspect,
    lookAhead: null,
  })
  const controller: FrontierController = {
    observeFirstTries() {},
    observeResolved() {},
    observeLags() {},
    observeExisting() {},
    tick: () => decision(),
    noteGapSearchDone() {
      suspect = false
    },
  }
  const space = IdSpace.create(1_001n)
  space.noteSeen(999n)
  const recorded: Array<[bigint, bigint]> = []
  const dropped: Array<[bigint, bigint]> = []
  const handedBack: Array<{ ids: bigint[]; since: number[] }> = []
  const coordinator = new Coordinator({
    crawler: "test",
    space,
    limiter: createSharedLimiter({ addresses: 1 }).limiter,
    controller,
    sql: null as unknown as Sql,
    log: createLogger({ level: "silent" }),
    metrics: new AtlasMetrics(["a"]),
    start: 1_000n,
    to: null,
    probe: async (id) => (exists(id) ? "exists" : "missing"),
    // The ids past the block ended just now: young evidence.
    probeCompletedAt: async () => clock - 20_000,
    resume: null,
    handBack: (ids, since) => handedBack.push({ ids: [...ids], since: [...since] }),
    recordGap: (from, to) => recorded.push([from, to]),
    dropGap: (from, to) => dropped.push([from, to]),
    fetchers: 1,
    now: () => clock,
  })
  coordinator.tracker.resolve(1_000n)
  return {
    coordinator,
    space,
    recorded,
    dropped,
    handedBack,
    async step(advanceMs: number, suspectDeadBlock = false) {
      clock += advanceMs
      suspect = suspectDeadBlock
      coordinator.tick()
      await coordinator.settle()
      // settle() waits for the search started by this tick; its continuation runs after.
      await Bun.sleep(0)
    },
  }
}

describe("gaps at the live head", () => {
  test("a dead block is held pending (cursor jumps, nothing recorded), then recorded after the window", async () => {
    const h = harness((id) => id >= 6_000n)
    await h.step(0, true)
    expect(h.space.cursor).toBe(6_000n)
    expect(h.dropped).toEqual([[1_001n, 6_000n]])
    expect(h.recorded).toEqual([])
    // The mark waits: the block's ids are unresolved, and the checkpoint says so.
    expect(h.coordinator.tracker.lowWater).toBe(1_001n)
    const resume = h.coordinator.captureResume()
    expect(resume.unresolved).toEqual([{ from: 1_001n, to: 6_000n, since: T0, pendingGap: true }])
    await h.step(WINDOW - 1_000)
    expect(h.recorded).toEqual([])
    await h.step(1_000)
    expect(h.recorded).toEqual([[1_001n, 6_000n]])
    expect(h.handedBack).toEqual([])
  })

  test("a clump published inside it meanwhile: every id goes back to the fetchers, dated by the evidence", async () => {
    let clump = false
    const h = harness((id) => id >= 6_000n || (clump && id >= 2_400n && id < 2_700n))
    await h.step(0, true)
    expect(h.recorded).toEqual([])
    clump = true
    await h.step(WINDOW)
    expect(h.recorded).toEqual([])
    expect(h.handedBack.length).toBe(1)
    const back = h.handedBack[0]!
    expect(back.ids.length).toBe(4_999)
    expect(back.ids[0]).toBe(1_001n)
    expect(back.ids[4_998]).toBe(5_999n)
    expect(new Set(back.since)).toEqual(new Set([T0]))
  })

  test("ids at the block's start published meanwhile go back alone; the rest is searched again and recorded", async () => {
    // 1,001 and 1,002 were only unpublished when the block was found (it bordered the head).
    let late = false
    const h = harness((id) => id >= 6_000n || (late && id <= 1_002n))
    await h.step(0, true)
    late = true
    await h.step(WINDOW)
    expect(h.handedBack.map((b) => b.ids)).toEqual([[1_001n, 1_002n]])
    expect(h.handedBack[0]!.since).toEqual([T0, T0])
    expect(h.recorded).toEqual([])
    expect(h.coordinator.captureResume().unresolved.filter((r) => r.pendingGap)).toEqual([
      { from: 1_003n, to: 6_000n, since: T0, pendingGap: true },
    ])
    await h.step(0)
    expect(h.recorded).toEqual([[1_003n, 6_000n]])
    expect(h.handedBack.length).toBe(1)
  })

  test("a long published run at the block's start gives the block back as before", async () => {
    let late = false
    const h = harness((id) => id >= 6_000n || (late && id <= 1_100n))
    await h.step(0, true)
    late = true
    await h.step(WINDOW)
    expect(h.recorded).toEqual([])
    expect(h.handedBack[0]?.ids.length).toBe(4_999)
  })

  test("a one-id range at the head is left to the fetchers as a hole: no gap, no jump", async () => {
    const h = harness((id) => id >= 1_002n)
    await h.step(0, true)
    expect(h.recorded).toEqual([])
    expect(h.dropped).toEqual([])
    expect(h.space.cursor).toBe(1_001n)
    expect(h.space.newestExisting).toBe(1_002n)
  })
})

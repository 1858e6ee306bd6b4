import { describe, expect, test } from "bun:test"
import { LagSeries, median, summarizeLag } from "./lag-series.ts"

const STEP = 15_000

describe("LagSeries", () => {
  test("one p50 per 15 s step, oldest first, steps outside the window dropped", () => {
    const s = new LagSeries({ stepMs: STEP, windowMs: 60_000 })
    s.add(0, [10, 20, 30])
    s.add(STEP + 1, [40])
    s.add(STEP + 2, [60])
    s.add(2 * STEP, [])
    expect(s.points(2 * STEP)).toEqual([
      { at: 0, p50Seconds: 20 },
      { at: STEP, p50Seconds: 50 },
    ])
    // At 74 s the first step (0 s) has left the 60 s window, the second (15 s) has not.
    expect(s.points(74_000).map((p) => p.at)).toEqual([STEP])
  })

  test("a step keeps a bounded sample", () => {
    const s = new LagSeries({ stepMs: STEP, windowMs: 60_000, maxSamplesPerStep: 10 })
    s.add(
      0,
      Array.from({ length: 1_000 }, () => 5),
    )
    s.add(
      1,
      Array.from({ length: 1_000 }, () => 5),
    )
    expect(s.points(1)).toEqual([{ at: 0, p50Seconds: 5 }])
  })

  test("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})

describe("summarizeLag (read like the public status page)", () => {
  const series = (values: number[], start = 0) => values.map((p50Seconds, i) => ({ at: start + i * STEP, p50Seconds }))

  test("no point, or only stale ones: offline", () => {
    expect(summarizeLag([], 0)).toMatchObject({ online: false, p50Seconds: null, caughtUp: null })
    expect(summarizeLag(series([30, 30]), 10 * 60_000, { staleMs: 30_000 }).online).toBe(false)
  })

  test("weighted mean of the newest six points, newer weigh more; at or under 60 s is caught up", () => {
    const s = summarizeLag(series([100, 100, 10, 10, 10, 10, 10, 40]), 7 * STEP + 1)
    // The last six are 10,10,10,10,10,40 with weights 1..6: (10*15 + 40*6) / 21.
    expect(s.p50Seconds).toBeCloseTo((10 * 15 + 40 * 6) / 21, 6)
    expect(s.caughtUp).toBe(true)
    expect(s.catchUpEtaSeconds).toBeNull()
  })

  test("behind and shrinking: an ETA from the trend", () => {
    // Lag falls 30 s per 15 s step, from 600 s: after the last point (330 s) it needs (p50 - 60) / 2 s.
    const points = series([600, 570, 540, 510, 480, 450, 420, 390, 360, 330])
    const s = summarizeLag(points, 9 * STEP + 1)
    expect(s.caughtUp).toBe(false)
    expect(s.trendSecondsPerMinute).toBeCloseTo(-120, 6)
    expect(s.catchUpEtaSeconds).toBeCloseTo((s.p50Seconds! - 60) / 2, 6)
  })

  test("behind and growing: no ETA", () => {
    const s = summarizeLag(series([100, 120, 140]), 2 * STEP + 1)
    expect(s.caughtUp).toBe(false)
    expect(s.trendSecondsPerMinute).toBeGreaterThan(0)
    expect(s.catchUpEtaSeconds).toBeNull()
  })

  test("points at or under minLagSeconds are dropped (the public page keeps only lag above 2.5 s)", () => {
    const s = summarizeLag(series([2.5, 2.5, 2.5]), 2 * STEP + 1, { minLagSeconds: 2.5 })
    expect(s.online).toBe(false)
    expect(s.points).toBe(0)
  })
})

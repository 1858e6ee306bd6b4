import { describe, expect, test } from "bun:test"
import { computePairedRatio, computeRatio, summarize } from "./stats.ts"

describe("summarize", () => {
  test("nearest-rank percentiles over 1..100", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i)
    const d = summarize(samples)
    expect(d).toMatchObject({ count: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 })
  })
  test("empty input yields NaN, not a crash", () => {
    const d = summarize([])
    expect(d.count).toBe(0)
    expect(Number.isNaN(d.p50)).toBe(true)
  })
  test("ratio guards zero denominators", () => {
    expect(computeRatio(1, 4)).toBe(0.25)
    expect(Number.isNaN(computeRatio(1, 0))).toBe(true)
  })
  test("paired ratio is the median of per-pair ratios", () => {
    expect(computePairedRatio([2, 10, 3], [1, 4, 3])).toBe(2)
    expect(computePairedRatio([1, 5], [0, 10])).toBe(0.5)
  })
})

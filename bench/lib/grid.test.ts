import { describe, expect, test } from "bun:test"
import { buildGrid, computeWinningMargin, pickBest } from "./grid.ts"

describe("sweep grid", () => {
  test("cartesian product in axis order", () => {
    const g = buildGrid({ fetchers: [1, 2], concurrency: [32], batch: [100, 500] })
    expect(g).toEqual([
      { fetchers: 1, maxConcurrency: 32, batchSize: 100 },
      { fetchers: 1, maxConcurrency: 32, batchSize: 500 },
      { fetchers: 2, maxConcurrency: 32, batchSize: 100 },
      { fetchers: 2, maxConcurrency: 32, batchSize: 500 },
    ])
  })
  test("best is the highest finite score, first on ties", () => {
    expect(pickBest([1, 3, Number.NaN, 3])).toBe(1)
    expect(pickBest([Number.NaN])).toBe(-1)
    expect(pickBest([-5, -2])).toBe(1)
  })
  test("winning margin over the runner-up", () => {
    expect(computeWinningMargin([100, 80, 125])).toBe(0.25)
    expect(Number.isNaN(computeWinningMargin([1]))).toBe(true)
  })
})

import { expect, test } from "bun:test"
import { computeLagQuantile, countLagObservations, createLagHistogram, observeLag } from "./lag-histogram.ts"

test("lag quantiles are within one bucket and forget segments older than the window", () => {
  const h = createLagHistogram({ segmentMs: 10_000, segments: 6 })
  expect(Number.isNaN(computeLagQuantile(h, 0, 0.5))).toBe(true)
  for (let i = 1; i <= 1000; i++) observeLag(h, 5_000, i * 10) // 10 ms .. 10 s uniform
  const p50 = computeLagQuantile(h, 5_000, 0.5)
  const p99 = computeLagQuantile(h, 5_000, 0.99)
  expect(p50).toBeGreaterThan(5_000 / 1.13)
  expect(p50).toBeLessThan(5_000 * 1.13)
  expect(p99).toBeGreaterThan(9_900 / 1.13)
  expect(p99).toBeLessThan(9_900 * 1.13)
  observeLag(h, 30_000, 3 * 86_400_000) // days behind (backfill) stays representable
  expect(computeLagQuantile(h, 30_000, 1)).toBeGreaterThan(2.5 * 86_400_000)
  // 60 s later the first segment has left the window.
  expect(countLagObservations(h, 65_000)).toBe(1)
  expect(countLagObservations(h, 95_000)).toBe(0)
})

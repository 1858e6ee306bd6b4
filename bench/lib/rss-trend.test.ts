import { expect, test } from "bun:test"
import { medianTrend } from "./rss-trend.ts"

test("a sawtooth without a trend reads flat; a steady climb reads as its growth", () => {
  const sawtooth = Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? 170 : 145 + (i % 2)))
  expect(Math.abs(medianTrend(sawtooth))).toBeLessThan(0.01)
  const climb = Array.from({ length: 24 }, (_, i) => 400 + i * 5)
  // Thirds of 8: medians 415 (nearest rank: 4th of 400..435) and 495.
  expect(medianTrend(climb)).toBeCloseTo(495 / 415 - 1, 6)
  expect(Number.isNaN(medianTrend([1, 2]))).toBe(true)
})

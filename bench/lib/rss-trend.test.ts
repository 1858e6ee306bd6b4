import { expect, test } from "bun:test"
import { growthAfterWarmup, medianTrend } from "./rss-trend.ts"

test("a sawtooth without a trend reads flat; a steady climb reads as its growth", () => {
  const sawtooth = Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? 170 : 145 + (i % 2)))
  expect(Math.abs(medianTrend(sawtooth))).toBeLessThan(0.01)
  const climb = Array.from({ length: 24 }, (_, i) => 400 + i * 5)
  // Thirds of 8: medians 415 (nearest rank: 4th of 400..435) and 495.
  expect(medianTrend(climb)).toBeCloseTo(495 / 415 - 1, 6)
  expect(Number.isNaN(medianTrend([1, 2]))).toBe(true)
})

test("growth compares the highest value after the warm-up with the value at its end", () => {
  const series: [number, number][] = [
    [60, 500],
    [300, 100],
    [360, 104],
    [420, 98],
  ]
  expect(growthAfterWarmup(series, 300)).toBeCloseTo(0.04, 9)
  // Samples before the warm-up's end count for neither side: from 360 s, 104 is the highest.
  expect(growthAfterWarmup(series, 301)).toBe(0)
  expect(Number.isNaN(growthAfterWarmup(series, 600))).toBe(true)
})

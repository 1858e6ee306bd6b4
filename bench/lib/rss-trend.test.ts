import { expect, test } from "bun:test"
import { bandWidth, crestAboveWarmup, medianTrend } from "./rss-trend.ts"

test("a sawtooth without a trend reads flat; a steady climb reads as its growth", () => {
  const sawtooth = Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? 170 : 145 + (i % 2)))
  expect(Math.abs(medianTrend(sawtooth))).toBeLessThan(0.01)
  const climb = Array.from({ length: 24 }, (_, i) => 400 + i * 5)
  // Thirds of 8: medians 415 (nearest rank: 4th of 400..435) and 495.
  expect(medianTrend(climb)).toBeCloseTo(495 / 415 - 1, 6)
  expect(Number.isNaN(medianTrend([1, 2]))).toBe(true)
})

test("the crest compares the highest value after the warm-up with the value at its end", () => {
  const series: [number, number][] = [
    [60, 500],
    [300, 100],
    [360, 104],
    [420, 98],
  ]
  expect(crestAboveWarmup(series, 300)).toBeCloseTo(0.04, 9)
  // Samples before the warm-up's end count for neither side: from 360 s, 104 is the highest.
  expect(crestAboveWarmup(series, 301)).toBe(0)
  expect(Number.isNaN(crestAboveWarmup(series, 600))).toBe(true)
})

test("the band is the spread after the warm-up relative to its median", () => {
  expect(bandWidth([100, 110, 120])).toBeCloseTo(20 / 110, 9)
  expect(bandWidth([150])).toBe(0)
  expect(Number.isNaN(bandWidth([]))).toBe(true)
})

test("a trough at the warm-up's end reads as a crest, not as growth", () => {
  // The 30-minute alone soak of d7a2fdc: the minute-5 sample (119) near the band's floor.
  const alone = [
    119, 120, 125, 122, 118, 127, 118, 131, 127, 126, 120, 126, 125, 121, 115, 133, 125, 125, 135, 129, 124, 132, 118, 122, 122, 121,
  ]
  const series = alone.map((mb, i): [number, number] => [300 + 60 * i, mb])
  expect(crestAboveWarmup(series, 300)).toBeGreaterThan(0.13)
  expect(medianTrend(alone)).toBeLessThan(0.05)
  expect(medianTrend(alone)).toBeGreaterThan(-0.05)
})

test("a slow leak under the same sawtooth still reads as growth", () => {
  // +10 % over 26 minutes under a ±8 % sawtooth: the thirds' medians rise by ~7 %.
  const offsets = [0, 9, -4, 5]
  const leaking = Array.from({ length: 26 }, (_, i) => 120 * (1 + (0.1 * i) / 25) + offsets[i % 4]!)
  expect(medianTrend(leaking)).toBeGreaterThan(0.05)
  const flat = Array.from({ length: 26 }, (_, i) => 120 + offsets[i % 4]!)
  expect(Math.abs(medianTrend(flat))).toBeLessThan(0.01)
})

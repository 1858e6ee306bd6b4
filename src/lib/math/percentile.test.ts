import { expect, test } from "bun:test"
import { quantileOf, quantileOfSorted } from "./percentile.ts"

test("nearest rank: p50 of 1..100 is 50, p99 is 99, p100 the max, p0 the min", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i)
  expect(quantileOf(values, 0.5)).toBe(50)
  expect(quantileOf(values, 0.99)).toBe(99)
  expect(quantileOf(values, 1)).toBe(100)
  expect(quantileOf(values, 0)).toBe(1)
})

test("small samples answer with one of the samples; empty is NaN", () => {
  expect(quantileOfSorted([3, 7], 0.5)).toBe(3)
  expect(quantileOfSorted([3, 7], 0.51)).toBe(7)
  expect(quantileOf([], 0.5)).toBeNaN()
})

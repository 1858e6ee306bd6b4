import { describe, expect, test } from "bun:test"
import { clampProbability, combineAny, divideOr, logistic, probabilityAtLeastTwo } from "./probability.ts"

describe("logistic", () => {
  test("is one half at x0 and falls for k > 0", () => {
    expect(logistic(12, 0.6, 0.6)).toBe(0.5)
    expect(logistic(12, 0.6, 0.5)).toBeCloseTo(1 / (1 + Math.exp(-1.2)), 12)
    expect(logistic(12, 0.6, 0.9)).toBeLessThan(0.5)
    expect(logistic(-0.15, 40, 60)).toBeGreaterThan(0.5)
  })
})

describe("combineAny", () => {
  test("1 - Π(1 - p)", () => {
    expect(combineAny(0.5, 0.5)).toBe(0.75)
    expect(combineAny(0.2, 0.1, 0)).toBeCloseTo(1 - 0.8 * 0.9, 12)
    expect(combineAny()).toBe(0)
  })

  test("values above 1 count as 1, negative ones lower the total but never below 0", () => {
    expect(combineAny(1.5, 0.2)).toBe(1)
    expect(combineAny(0.5, -0.2)).toBeCloseTo(1 - 0.5 * 1.2, 12)
    expect(combineAny(-0.5)).toBe(0)
  })

  test("NaN is no evidence, not poison", () => {
    expect(combineAny(Number.NaN, 0.3)).toBeCloseTo(0.3, 12)
  })
})

describe("probabilityAtLeastTwo", () => {
  test("matches enumeration of every outcome", () => {
    const ps = [0.9, 0.3, 0.05, 0.5, 0.01]
    let expected = 0
    for (let mask = 0; mask < 1 << ps.length; mask++) {
      let p = 1
      let happened = 0
      ps.forEach((pi, i) => {
        if (mask & (1 << i)) {
          p *= pi
          happened++
        } else p *= 1 - pi
      })
      if (happened >= 2) expected += p
    }
    expect(probabilityAtLeastTwo(ps)).toBeCloseTo(expected, 12)
  })

  test("one event alone is never two", () => {
    expect(probabilityAtLeastTwo([1])).toBe(0)
    expect(probabilityAtLeastTwo([])).toBe(0)
    expect(probabilityAtLeastTwo([1, 1])).toBe(1)
  })
})

test("clampProbability and divideOr keep broken numbers out", () => {
  expect(clampProbability(Number.NaN)).toBe(0)
  expect(clampProbability(-1)).toBe(0)
  expect(clampProbability(2)).toBe(1)
  expect(clampProbability(0.25)).toBe(0.25)
  expect(divideOr(1, 0, 7)).toBe(7)
  expect(divideOr(Number.POSITIVE_INFINITY, 1, 7)).toBe(7)
  expect(divideOr(1, 4, 7)).toBe(0.25)
})

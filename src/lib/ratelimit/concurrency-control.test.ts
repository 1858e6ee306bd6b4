import { describe, expect, test } from "bun:test"
import {
  type ConcurrencyParams,
  computeConcurrencyLimit,
  createConcurrencyState,
  decreaseConcurrency,
  updateConcurrency,
} from "./concurrency-control.ts"

const p: ConcurrencyParams = {
  minConcurrency: 2,
  maxConcurrency: 128,
  rttTolerance: 1.5,
  concurrencySmoothing: 0.2,
  serverThrottleConcurrencyFactor: 0.7,
  decreaseCooldownMs: 2_000,
}

describe("concurrency control", () => {
  test("grows while latency stays flat and the permits are used", () => {
    const s = createConcurrencyState(8)
    for (let i = 0; i < 200; i++) updateConcurrency(s, p, 100, Math.floor(s.estimate))
    expect(computeConcurrencyLimit(s, p)).toBeGreaterThan(40)
  })

  test("does not grow when the caller leaves permits unused", () => {
    const s = createConcurrencyState(16)
    for (let i = 0; i < 200; i++) updateConcurrency(s, p, 100, 3)
    expect(computeConcurrencyLimit(s, p)).toBe(16)
  })

  test("shrinks when latency rises well above the baseline, then settles", () => {
    const s = createConcurrencyState(64)
    for (let i = 0; i < 500; i++) updateConcurrency(s, p, 100, 64)
    const before = s.estimate
    for (let i = 0; i < 40; i++) updateConcurrency(s, p, 600, Math.floor(s.estimate))
    expect(s.estimate).toBeLessThan(before * 0.5)
    expect(computeConcurrencyLimit(s, p)).toBeGreaterThanOrEqual(2)
  })

  test("game-server throttle cuts multiplicatively once per cooldown", () => {
    const s = createConcurrencyState(100)
    expect(decreaseConcurrency(s, p, 10_000)).toBe(true)
    expect(s.estimate).toBeCloseTo(70, 9)
    expect(decreaseConcurrency(s, p, 11_000)).toBe(false)
    expect(decreaseConcurrency(s, p, 12_500)).toBe(true)
    expect(s.estimate).toBeCloseTo(49, 9)
  })

  test("ignores unknown latency", () => {
    const s = createConcurrencyState(10)
    updateConcurrency(s, p, Number.NaN, 10)
    updateConcurrency(s, p, 0, 10)
    expect(Number.isNaN(s.shortRtt)).toBe(true)
    expect(s.estimate).toBe(10)
  })
})

import { describe, expect, test } from "bun:test"
import { type CeilingParams, computePlateau, createCeilingState, decreaseCeiling, growCeiling } from "./ceiling-control.ts"

const p: CeilingParams = {
  minCeiling: 1,
  maxCeiling: 30,
  decreaseFactor: 0.97,
  decreaseCooldownMs: 2_000,
  freeIncreasePerSec: 0.02,
  recoverSec: 30,
  plateauMargin: 0.005,
  probeHoldSec: 1800,
  probeIncreasePerSec: 0.0005,
  growthUtilization: 0.9,
}

/** Advance clean time in 100 ms steps at full utilisation. */
function runClean(s: ReturnType<typeof createCeilingState>, from: number, ms: number, utilization = 1): number {
  let t = from
  for (; t < from + ms; t += 100) growCeiling(s, p, t + 100, utilization)
  return t
}

describe("ceiling control", () => {
  test("grows freely before the first throttle, only while the window is full", () => {
    const s = createCeilingState(24, 0)
    runClean(s, 0, 10_000, 0.5)
    expect(s.ceiling).toBe(24)
    runClean(s, 10_000, 10_000)
    expect(s.ceiling).toBeCloseTo(24.2, 5)
  })

  test("a throttle episode decreases once and remembers the limit", () => {
    const s = createCeilingState(25, 0)
    expect(decreaseCeiling(s, p, 1_000, 900)).toBe(true)
    expect(s.ceiling).toBeCloseTo(25 * 0.97, 9)
    expect(s.learnedLimit).toBe(25)
    // Same burst: answers to requests sent before the decrease, or inside the cooldown, are ignored.
    expect(decreaseCeiling(s, p, 1_200, 950)).toBe(false)
    expect(decreaseCeiling(s, p, 2_500, 1_100)).toBe(false)
    expect(s.ceiling).toBeCloseTo(25 * 0.97, 9)
    expect(decreaseCeiling(s, p, 3_100, 3_000)).toBe(true)
    expect(s.learnedLimit).toBeCloseTo(25 * 0.97, 9)
  })

  test("recovers to the plateau within recoverSec, holds, then probes slowly", () => {
    const s = createCeilingState(25, 0)
    decreaseCeiling(s, p, 0, 0)
    const plateau = computePlateau(s, p)
    expect(plateau).toBeCloseTo(25 * 0.995, 9)
    let t = runClean(s, 0, 29_000)
    expect(s.ceiling).toBeLessThan(plateau)
    t = runClean(s, t, 2_000)
    expect(s.ceiling).toBeCloseTo(plateau, 9)
    t = runClean(s, t, 1_700_000)
    expect(s.ceiling).toBeCloseTo(plateau, 9)
    t = runClean(s, t, 200_000)
    // 1800 s hold elapsed ~100 s ago: probing at 0.0005 req/s per s.
    expect(s.ceiling).toBeGreaterThan(plateau + 0.03)
    expect(s.ceiling).toBeLessThan(plateau + 0.07)
  })

  test("a stalled thread cannot integrate a huge step; ceiling stays within bounds", () => {
    const s = createCeilingState(29.9, 0)
    growCeiling(s, p, 3_600_000, 1)
    expect(s.ceiling).toBeCloseTo(29.92, 9)
    for (let i = 0; i < 1000; i++) growCeiling(s, p, 3_600_000 + i * 1000, 1)
    expect(s.ceiling).toBe(30)
    const low = createCeilingState(1.01, 0)
    for (let i = 0; i < 10; i++) decreaseCeiling(low, p, i * 10_000, i * 10_000)
    expect(low.ceiling).toBe(1)
  })
})

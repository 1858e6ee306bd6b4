import { describe, expect, test } from "bun:test"
import { computeBackoffMs } from "./backoff.ts"

describe("computeBackoffMs", () => {
  const policy = { baseMs: 250, maxMs: 4_000, jitter: 0.25 }

  test("doubles per retry and stops at the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 9, 80].map((n) => computeBackoffMs(n, policy, () => 1))).toEqual([
      250, 500, 1000, 2000, 4000, 4000, 4000, 4000,
    ])
  })

  test("the draw lies in [d(1 - jitter), d], never above the cap", () => {
    for (let n = 0; n <= 8; n++) {
      const d = Math.min(4_000, 250 * 2 ** n)
      expect(computeBackoffMs(n, policy, () => 0)).toBe(Math.round(d * 0.75))
      for (let i = 0; i < 200; i++) {
        const ms = computeBackoffMs(n, policy, Math.random)
        expect(ms).toBeGreaterThanOrEqual(Math.round(d * 0.75))
        expect(ms).toBeLessThanOrEqual(d)
      }
    }
  })

  test("default jitter is half the step; zero jitter is raised so callers still spread", () => {
    expect(computeBackoffMs(0, { baseMs: 1000, maxMs: 60_000 }, () => 0)).toBe(500)
    const values = new Set(Array.from({ length: 50 }, () => computeBackoffMs(3, { ...policy, jitter: 0 }, Math.random)))
    expect(values.size).toBeGreaterThan(5)
  })
})

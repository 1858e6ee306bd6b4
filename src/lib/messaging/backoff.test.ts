import { expect, test } from "bun:test"
import { computeBackoffMs } from "./backoff.ts"

test("backoff doubles per attempt, stays within [half, full] of the step and never exceeds the cap", () => {
  const options = { baseMs: 1000, maxMs: 60_000 }
  expect(computeBackoffMs(0, options, () => 0)).toBe(500)
  expect(computeBackoffMs(0, options, () => 1)).toBe(1000)
  expect(computeBackoffMs(3, options, () => 1)).toBe(8000)
  for (let attempt = 0; attempt < 100; attempt++) {
    const ms = computeBackoffMs(attempt, options)
    expect(ms).toBeLessThanOrEqual(60_000)
    expect(ms).toBeGreaterThanOrEqual(Math.min(60_000, 1000 * 2 ** attempt) / 2)
  }
})

import { expect, test } from "bun:test"
import { computeBucketReadyAt, computeBurst, refillBucket } from "./token-bucket.ts"

test("token bucket refills at the rate, caps at the burst, and reports the next token", () => {
  const s = { tokens: 0, lastRefillAt: 0 }
  refillBucket(s, 20, 5, 100)
  expect(s.tokens).toBeCloseTo(2, 9)
  expect(computeBucketReadyAt(s, 20, 100)).toBe(100)
  s.tokens -= 1.5
  expect(computeBucketReadyAt(s, 20, 100)).toBeCloseTo(125, 9)
  refillBucket(s, 20, 5, 10_000)
  expect(s.tokens).toBe(5)
  // Clock going backwards (another thread's slightly older reading) never removes tokens.
  refillBucket(s, 20, 5, 9_000)
  expect(s.tokens).toBe(5)
  expect(computeBurst(24, 0.25)).toBe(6)
  expect(computeBurst(2, 0.25)).toBe(1)
})

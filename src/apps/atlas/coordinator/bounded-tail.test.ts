import { describe, expect, test } from "bun:test"
import { BoundedTail } from "./bounded-tail.ts"

const ok = { results: { ok: 3, notFound: 10 } }
const only404 = { results: { notFound: 12 } }

describe("BoundedTail", () => {
  test("hands off once the range is claimed and no PGCR was answered for the quiet time", () => {
    const tail = new BoundedTail(1_000n, 30_000, 0)
    tail.observeStats(10_000, ok)
    // Range not fully claimed yet.
    expect(tail.shouldHandOff(50_000, { cursor: 900n, lowWater: 500n })).toBe(false)
    // Claimed, but a PGCR came 20 s ago.
    tail.observeStats(30_000, ok)
    expect(tail.shouldHandOff(50_000, { cursor: 1_001n, lowWater: 950n })).toBe(false)
    // Only 404s since: quiet.
    tail.observeStats(55_000, only404)
    expect(tail.shouldHandOff(59_999, { cursor: 1_001n, lowWater: 950n })).toBe(false)
    expect(tail.shouldHandOff(60_000, { cursor: 1_001n, lowWater: 950n })).toBe(true)
    // Repeated (ids that were in flight), but not on every tick.
    expect(tail.shouldHandOff(61_000, { cursor: 1_001n, lowWater: 950n })).toBe(false)
    expect(tail.shouldHandOff(65_000, { cursor: 1_001n, lowWater: 950n })).toBe(true)
    // Resolved: nothing to do.
    expect(tail.shouldHandOff(90_000, { cursor: 1_001n, lowWater: 1_001n })).toBe(false)
  })

  test("a withheld PGCR counts as an existing id", () => {
    const tail = new BoundedTail(10n, 1_000, 0)
    tail.observeStats(5_000, { results: { blocked: 1 } })
    expect(tail.shouldHandOff(5_500, { cursor: 11n, lowWater: 3n })).toBe(false)
    expect(tail.shouldHandOff(6_000, { cursor: 11n, lowWater: 3n })).toBe(true)
  })
})

import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../../../lib/math/seeded-random.ts"
import { ResolutionTracker } from "./resolution-tracker.ts"

describe("ResolutionTracker", () => {
  test("the mark waits for the lowest unresolved id", () => {
    const tracker = new ResolutionTracker(100n)
    tracker.resolveMany([101n, 102n, 104n])
    expect(tracker.lowWater).toBe(100n)
    tracker.resolve(100n)
    expect(tracker.lowWater).toBe(103n)
    tracker.resolve(103n)
    expect(tracker.lowWater).toBe(105n)
    expect(tracker.waiting).toBe(0)
  })

  test("duplicates and ids below the mark are harmless", () => {
    const tracker = new ResolutionTracker(10n)
    tracker.resolveMany([10n, 10n, 5n, 11n, 11n])
    expect(tracker.lowWater).toBe(12n)
    expect(tracker.total).toBe(2)
  })

  test("gap ranges jump the mark and swallow singles inside them", () => {
    const tracker = new ResolutionTracker(0n)
    tracker.resolveMany([1n, 2n, 50n, 5_000_001n])
    tracker.resolveRange(3n, 5_000_000n)
    expect(tracker.lowWater).toBe(0n)
    tracker.resolve(0n)
    expect(tracker.lowWater).toBe(5_000_000n)
    tracker.resolve(5_000_000n)
    expect(tracker.lowWater).toBe(5_000_002n)
    expect(tracker.waiting).toBe(0)
    expect(tracker.isResolvedThrough(5_000_001n)).toBe(true)
  })

  test("shuffled resolution of a large range ends at its end", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => BigInt(i) + 17_000_000_000n)
    const random = createSeededRandom(20_000)
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
    }
    const tracker = new ResolutionTracker(17_000_000_000n)
    tracker.resolveMany(ids)
    expect(tracker.lowWater).toBe(17_000_010_000n)
  })
})

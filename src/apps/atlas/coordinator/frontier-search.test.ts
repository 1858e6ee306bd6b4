import { describe, expect, test } from "bun:test"
import { searchFrontier } from "./frontier-search.ts"

function world(start: bigint, newest: bigint, holes: Set<bigint> = new Set()) {
  let calls = 0
  const probe = async (id: bigint) => {
    calls++
    return id >= start && id <= newest && !holes.has(id) ? ("exists" as const) : ("missing" as const)
  }
  return { probe, calls: () => calls }
}

describe("searchFrontier", () => {
  test("from a hint: gallop then bisect to the newest id", async () => {
    const w = world(17_000_000_000n, 17_000_123_456n)
    const result = await searchFrontier({ probe: w.probe, hint: 17_000_000_500n })
    expect(result.newest).toBe(17_000_123_456n)
    expect(result.probes).toBeLessThan(200)
  })

  test("single missing ids do not stop the search", async () => {
    const holes = new Set([17_000_001_000n, 17_000_005_000n, 17_000_123_456n])
    const w = world(17_000_000_000n, 17_000_123_456n, holes)
    const result = await searchFrontier({ probe: w.probe, hint: 17_000_000_000n })
    expect(result.newest).toBe(17_000_123_455n)
  })

  test("no hint: scans down from the ceiling, stays bounded", async () => {
    const w = world(1n, 17_091_467_640n)
    const result = await searchFrontier({ probe: w.probe, hint: null })
    expect(result.newest).toBe(17_091_467_640n)
    expect(w.calls()).toBeLessThanOrEqual(200)
  })

  test("an empty world gives null within the budget", async () => {
    const w = world(1n, 0n)
    const result = await searchFrontier({ probe: w.probe, hint: 5n, maxProbes: 50 })
    expect(result.newest).toBeNull()
    expect(w.calls()).toBe(50)
  })
})

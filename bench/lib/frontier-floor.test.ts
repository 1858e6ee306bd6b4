import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../../src/lib/math/seeded-random.ts"
import { computeFrontierFloor, type FloorId } from "./frontier-floor.ts"

const SCHEDULE = [500, 500, 750, 1_000]

/** `n` ids created every 20 ms (50 ids/s), each published `delay(i)` ms after. */
function world(n: number, delay: (i: number) => number | null): FloorId[] {
  return Array.from({ length: n }, (_, i) => {
    const d = delay(i)
    return { publishedAt: d === null ? null : 1_000_000 + i * 20 + d, measured: true }
  })
}

describe("frontier floor", () => {
  test("a perfectly regular head is found the moment it publishes, without a 404", () => {
    const r = computeFrontierFloor(
      world(2_000, () => 300),
      { share404: 0, retryScheduleMs: SCHEDULE },
    )
    expect(r.ids).toBe(2_000 - 225)
    expect(Math.abs(r.offsetMs)).toBeLessThan(1e-6)
    expect(r.share404).toBe(0)
    expect(r.lagSeconds.max).toBeLessThan(1e-6)
  })

  test("publication jitter: the 404 budget is kept, and a larger budget buys a shorter lag", () => {
    const random = createSeededRandom(17)
    const jitter = Array.from({ length: 5_000 }, () => random() * 1_000)
    const ids = world(5_000, (i) => jitter[i]!)
    const strict = computeFrontierFloor(ids, { share404: 0.025, retryScheduleMs: SCHEDULE })
    const loose = computeFrontierFloor(ids, { share404: 0.2, retryScheduleMs: SCHEDULE })
    expect(strict.share404).toBeLessThanOrEqual(0.025)
    expect(strict.share404).toBeGreaterThan(0.015)
    expect(loose.share404).toBeLessThanOrEqual(0.2)
    expect(loose.offsetMs).toBeLessThan(strict.offsetMs)
    expect(loose.lagSeconds.p50).toBeLessThan(strict.lagSeconds.p50)
    // Uniform jitter of 1 s around the line: the strict offset sits near its top, so the median
    // id waits about half of it.
    expect(strict.lagSeconds.p50).toBeGreaterThan(0.35)
    expect(strict.lagSeconds.p50).toBeLessThan(0.65)
  })

  test("never-published ids use the budget first; past it every published id is tried after it appears", () => {
    const r = computeFrontierFloor(
      world(3_000, (i) => (i % 20 === 0 ? null : 100 + (i % 7) * 30)),
      { share404: 0.025, retryScheduleMs: SCHEDULE },
    )
    expect(r.neverPublishedShare).toBeCloseTo(0.05, 2)
    expect(r.share404).toBeCloseTo(r.neverPublishedShare, 6)
    expect(r.lagSeconds.min).toBeGreaterThanOrEqual(0)
  })

  test("a late clump does not bend the prediction of the ids after it", () => {
    const ids = world(2_000, (i) => (i >= 1_000 && i < 1_060 ? 130_000 : 300))
    for (const id of ids) id.measured = false
    for (let i = 1_100; i < 2_000; i++) ids[i]!.measured = true
    const r = computeFrontierFloor(ids, { share404: 0.05, retryScheduleMs: SCHEDULE })
    // The clump's own 60 ids are the only late ones (3 % of the predicted).
    expect(r.lagSeconds.max).toBeLessThan(0.001)
  })
})

import { describe, expect, test } from "bun:test"
import { computeFlushDelay } from "./flush-pacing.ts"

const pacing = (oldestAt: number, lastFlushAt: number) => ({ oldestAt, lastFlushAt, batchMs: 400, gatherMs: 20 })

describe("flush pacing", () => {
  test("after a quiet interval a lone item waits only the gather time", () => {
    expect(computeFlushDelay(pacing(10_000, Number.NEGATIVE_INFINITY), 10_000)).toBe(20)
    expect(computeFlushDelay(pacing(10_000, 9_000), 10_005)).toBe(15)
  })

  test("a steady stream is paced at one flush per interval: one transaction per 400 ms over 1.2 s", () => {
    // Items every 10 ms for 1.2 s; simulate the writer's timer with the pure rule.
    let lastFlushAt = Number.NEGATIVE_INFINITY
    let oldestAt: number | null = null
    let dueAt: number | null = null
    const flushes: number[] = []
    for (let now = 0; now <= 1_200; now++) {
      if (dueAt !== null && now >= dueAt) {
        flushes.push(now)
        lastFlushAt = now
        oldestAt = null
        dueAt = null
      }
      if (now % 10 === 0) {
        oldestAt ??= now
        dueAt ??= now + computeFlushDelay({ oldestAt, lastFlushAt, batchMs: 400, gatherMs: 20 }, now)
      }
    }
    // The first after 20 ms (quiet start), then one per 400 ms.
    expect(flushes).toEqual([20, 420, 820])
  })

  test("no item waits longer than the interval, however recent the last flush", () => {
    for (let last = -1_000; last <= 1_000; last += 50) {
      expect(computeFlushDelay(pacing(1_000, last), 1_000)).toBeLessThanOrEqual(400)
    }
    expect(computeFlushDelay(pacing(1_000, 1_000), 1_500)).toBe(0)
  })
})

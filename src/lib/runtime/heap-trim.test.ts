import { heapStats } from "bun:jsc"
import { describe, expect, test } from "bun:test"
import { Registry } from "prom-client"
import { startHeapTrim, startRecordedHeapTrim, trimDelayMs } from "./heap-trim.ts"

describe("heap trim", () => {
  test("each wait is drawn from ±10 % of the interval", () => {
    expect(trimDelayMs(10_000, 0)).toBe(9_000)
    expect(trimDelayMs(10_000, 0.5)).toBe(10_000)
    expect(trimDelayMs(10_000, 0.999_999)).toBeLessThan(11_000)
    expect(trimDelayMs(10_000, 0.999_999)).toBeGreaterThan(10_999)
  })

  test("trims on its period, reports each trim's duration, and stops", async () => {
    const durations: number[] = []
    let clock = 0
    let shrinks = 0
    const trim = startHeapTrim({
      intervalMs: 10,
      shrink: () => {
        shrinks++
        clock += 4
      },
      now: () => clock,
      onTrim: (seconds) => durations.push(seconds),
    })
    await Bun.sleep(120)
    trim.stop()
    const done = trim.count
    expect(done).toBeGreaterThanOrEqual(3)
    expect(shrinks).toBe(done)
    expect(durations).toEqual(Array.from({ length: done }, () => 0.004))
    await Bun.sleep(50)
    expect(trim.count).toBe(done)
  })

  test("refuses a period that is not positive", () => {
    expect(() => startHeapTrim({ intervalMs: 0, shrink: () => {} })).toThrow("heap trim interval must be > 0 ms, got 0")
    expect(() => startHeapTrim({ intervalMs: Number.NaN, shrink: () => {} })).toThrow(RangeError)
  })

  test("the recorded trim observes runtime_heap_trim_seconds with its app and thread", async () => {
    const registry = new Registry()
    const trim = startRecordedHeapTrim({ intervalMs: 10, registry, app: "atlas", thread: "main", shrink: () => {} })
    await Bun.sleep(80)
    trim.stop()
    const text = await registry.metrics()
    expect(text).toContain(`runtime_heap_trim_seconds_count{app="atlas",thread="main"} ${trim.count}`)
    expect(trim.count).toBeGreaterThan(0)
  })

  test("Bun.shrink, what a trim runs, collects the heap's garbage as soon as the calling JS returns", async () => {
    // The premise of the trim: if a Bun upgrade made shrink a no-op, this fails.
    let keep: unknown[] = []
    for (let i = 0; i < 200; i++) keep.push(new Array(5_000).fill(i))
    keep = []
    const before = heapStats().heapSize
    Bun.shrink()
    await new Promise((resolve) => setImmediate(resolve))
    const after = heapStats().heapSize
    expect(keep.length).toBe(0)
    expect(after).toBeLessThan(before - 4_000_000)
  })
})

import { describe, expect, test } from "bun:test"
import { Registry } from "prom-client"
import { startHeapTrim, startRecordedHeapTrim, threadCpuSeconds, trimDelayMs } from "./heap-trim.ts"

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
      cpuSeconds: () => 0,
      onTrim: (seconds) => durations.push(seconds),
    })
    await Bun.sleep(120)
    trim.stop()
    // A trim's duration is reported on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve))
    const done = trim.count
    expect(done).toBeGreaterThanOrEqual(3)
    expect(shrinks).toBe(done)
    expect(durations).toEqual(Array.from({ length: done }, () => 0.004))
    await Bun.sleep(50)
    expect(trim.count).toBe(done)
  })

  test("skips its turn while the thread is busy, and trims again once it is not", async () => {
    let clock = 0
    let cpu = 0
    let busy = true
    const trim = startHeapTrim({
      intervalMs: 10,
      busyCores: 0.5,
      shrink: () => {},
      now: () => clock,
      // Each turn moves the clock by 1 s; a busy thread used 0.9 s of CPU in it, an idle one 0.1.
      cpuSeconds: () => {
        clock += 1_000
        cpu += busy ? 0.9 : 0.1
        return cpu
      },
    })
    await Bun.sleep(80)
    expect(trim.count).toBe(0)
    expect(trim.skipped).toBeGreaterThanOrEqual(2)
    busy = false
    const skippedWhileBusy = trim.skipped
    await Bun.sleep(80)
    trim.stop()
    expect(trim.count).toBeGreaterThanOrEqual(2)
    // At most the turn already under way when the load dropped is skipped after it.
    expect(trim.skipped - skippedWhileBusy).toBeLessThanOrEqual(1)
  })

  test("threadCpuSeconds counts this thread's CPU, not a busy sibling's", async () => {
    const spin = (ms: number) => {
      const end = performance.now() + ms
      while (performance.now() < end) {}
    }
    const before = threadCpuSeconds()
    spin(300)
    const mine = threadCpuSeconds() - before
    // 300 ms of spinning is at most 0.3 s of CPU; on a loaded box the thread may get less of it.
    expect(mine).toBeGreaterThan(0.02)
    expect(mine).toBeLessThanOrEqual(0.32)
    const worker = new Worker(
      URL.createObjectURL(new Blob(["const end = performance.now() + 400; while (performance.now() < end) {} postMessage('done')"])),
    )
    const idleBefore = threadCpuSeconds()
    await new Promise((resolve) => {
      worker.onmessage = resolve
    })
    worker.terminate()
    expect(threadCpuSeconds() - idleBefore).toBeLessThan(0.1)
  })

  test("refuses a period that is not positive", () => {
    expect(() => startHeapTrim({ intervalMs: 0, shrink: () => {} })).toThrow("heap trim interval must be > 0 ms, got 0")
    expect(() => startHeapTrim({ intervalMs: Number.NaN, shrink: () => {} })).toThrow(RangeError)
  })

  test("the recorded trim counts its trims and its skips with their app and thread", async () => {
    const registry = new Registry()
    let cpu = 0
    let turns = 0
    // Every other turn finds the process busy (10 cores' worth of CPU since the previous one).
    const cpuSeconds = () => {
      turns++
      cpu += turns % 2 === 0 ? 10 : 0
      return cpu
    }
    const trim = startRecordedHeapTrim({ intervalMs: 10, registry, app: "atlas", thread: "main", shrink: () => {}, cpuSeconds })
    await Bun.sleep(100)
    trim.stop()
    const text = await registry.metrics()
    expect(text).toContain(`runtime_heap_trim_seconds_count{app="atlas",thread="main"} ${trim.count}`)
    expect(text).toContain(`runtime_heap_trims_skipped_total{app="atlas",thread="main"} ${trim.skipped}`)
    expect(trim.count).toBeGreaterThan(0)
    expect(trim.skipped).toBeGreaterThan(0)
  })

  test("Bun.shrink, what a trim runs, collects the thread's garbage as soon as the calling JS returns", async () => {
    // The premise of the trim: if a Bun upgrade made shrink a no-op, this fails.
    const collected: string[] = []
    const registry = new FinalizationRegistry<string>((name) => collected.push(name))
    ;(() => {
      for (let i = 0; i < 20; i++) registry.register(new Array(1_000).fill(i), `garbage-${i}`)
    })()
    Bun.shrink()
    await new Promise((resolve) => setImmediate(resolve))
    // Finalizers run as tasks after the collection.
    await Bun.sleep(10)
    expect(collected.length).toBeGreaterThanOrEqual(15)
  })
})

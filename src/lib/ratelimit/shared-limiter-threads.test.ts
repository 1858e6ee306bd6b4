import { describe, expect, test } from "bun:test"
import { Worker } from "node:worker_threads"
import type { LimiterOptions } from "./options.ts"
import { createSharedLimiter } from "./shared-limiter.ts"

const MAX_LOG = 200_000

async function runWorkers(
  options: Partial<LimiterOptions>,
  threads: number,
  workerData: { durationMs: number; holdMs: number; mode: "acquire" | "hammer" },
) {
  const { buffer, limiter } = createSharedLimiter(options)
  const logBuffer = new SharedArrayBuffer(16 + MAX_LOG * 16)
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(new URL("./testing/limiter-load-worker.ts", import.meta.url), {
        workerData: { ...workerData, limiterBuffer: buffer, logBuffer },
      }),
  )
  try {
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ taken: number }>((resolve, reject) => {
            w.once("message", resolve)
            w.once("error", reject)
          }),
      ),
    )
    const counters = new Int32Array(logBuffer, 0, 4)
    const n = Math.min(Atomics.load(counters, 0), MAX_LOG)
    const log = new Float64Array(logBuffer, 16)
    const permits = Array.from({ length: n }, (_, i) => ({ issuedAt: log[2 * i]!, address: log[2 * i + 1]! }))
    return { limiter, results, permits, maxConcurrent: Atomics.load(counters, 2), logged: Atomics.load(counters, 0) }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

/** Largest number of permits of one address inside any window of `windowMs`. */
function computeMaxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let max = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++
    max = Math.max(max, hi - lo + 1)
  }
  return max
}

describe("shared limiter across Worker threads", () => {
  test("four workers on one SAB never exceed the per-address window nor the concurrency limit", async () => {
    const ceiling = 100
    const { limiter, results, permits, maxConcurrent } = await runWorkers(
      {
        addresses: 2,
        initialCeiling: ceiling,
        maxCeiling: ceiling,
        windowMs: 1_000,
        slotMs: 10,
        initialConcurrency: 3,
        minConcurrency: 3,
        maxConcurrency: 3,
      },
      4,
      { durationMs: 1_600, holdMs: 2, mode: "acquire" },
    )
    const total = results.reduce((a, r) => a + r.taken, 0)
    expect(permits.length).toBe(total)
    expect(maxConcurrent).toBeLessThanOrEqual(3)
    const snap = limiter.snapshot()
    expect(snap.inFlight).toBe(0)
    for (const address of [0, 1]) {
      const times = permits.filter((p) => p.address === address).map((p) => p.issuedAt)
      expect(snap.addresses[address]!.sent).toBe(times.length)
      expect(computeMaxInWindow(times, 1_000)).toBeLessThanOrEqual(ceiling)
      // The limit is used, not just respected: ~1.6 s at 100/s (the first window allows 100).
      expect(times.length).toBeGreaterThan(130)
    }
  })

  test("hammering threads lose no update under contention (lock correctness)", async () => {
    const { limiter, results, logged } = await runWorkers(
      {
        addresses: 3,
        initialCeiling: 1_000_000,
        maxCeiling: 1_000_000,
        windowMs: 1_000,
        slotMs: 100,
        initialConcurrency: 64,
        maxConcurrency: 64,
      },
      4,
      { durationMs: 400, holdMs: 0, mode: "hammer" },
    )
    const total = results.reduce((a, r) => a + r.taken, 0)
    expect(total).toBeGreaterThan(1_000)
    expect(logged).toBe(total)
    const snap = limiter.snapshot()
    expect(snap.inFlight).toBe(0)
    expect(snap.addresses.reduce((a, s) => a + s.sent, 0)).toBe(total)
    expect(snap.addresses.reduce((a, s) => a + s.ok, 0)).toBe(total)
  })
})

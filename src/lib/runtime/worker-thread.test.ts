import { describe, expect, test } from "bun:test"
import { Registry } from "prom-client"
import { registerMetrics } from "../monitoring/metric-table.ts"
import { createWorkerMetricsAggregator } from "../monitoring/worker-metrics.ts"
import { TEST_METRICS, type TestWorkerIn, type TestWorkerInit, type TestWorkerOut } from "./testing/test-metrics.ts"
import { spawnWorker } from "./worker-thread.ts"

const WORKER_URL = new URL("./testing/test-worker.ts", import.meta.url)

/** Value of one sample line, e.g. sample(text, 'test_requests_total{result="ok",address="a0"}'). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  if (line === undefined) throw new Error(`series ${series} not found in:\n${text}`)
  return Number(line.slice(series.length + 1))
}

function spawn(thread: string, init: TestWorkerInit, onMessage: (m: TestWorkerOut) => void = () => {}, heapTrimMs?: number) {
  const crashes: string[] = []
  const metrics: { thread: string; snapshot: unknown }[] = []
  const handle = spawnWorker<TestWorkerInit, TestWorkerIn, TestWorkerOut>(WORKER_URL, init, {
    identity: { app: "test", thread, logLevel: "silent", ...(heapTrimMs === undefined ? {} : { heapTrimMs }) },
    onMessage,
    onCrash: (reason) => crashes.push(reason),
    onMetrics: (snapshot) => metrics.push({ thread, snapshot }),
  })
  return { handle, crashes, metrics }
}

describe("worker-thread runtime", () => {
  test("ready, typed messages both ways, close in order: the thread's last message arrives before close resolves", async () => {
    const received: TestWorkerOut[] = []
    const { handle, crashes } = spawn("t0", { requests: 3, lagSeconds: 1 }, (m) => received.push(m))
    await handle.ready
    handle.post({ type: "echo", value: "17200000001" })
    expect(await handle.close()).toBe(true)
    expect(received).toEqual([
      { type: "echoed", value: "17200000001" },
      { type: "finished", requests: 3 },
    ])
    expect(crashes).toEqual([])
  })

  test("snapshots of several threads merge with the main registry: counters and histograms sum, main gauges survive", async () => {
    const main = new Registry()
    registerMetrics(main, TEST_METRICS, "main").lowWater.set(17_091_200_569)
    registerMetrics(main, TEST_METRICS, "worker").requests.inc({ result: "ok", address: "a0" }, 1_000)
    const aggregator = createWorkerMetricsAggregator(main)
    const threads = [
      spawn("fetcher-0", { requests: 100, lagSeconds: 1.5 }),
      spawn("fetcher-1", { requests: 60, lagSeconds: 4 }),
      spawn("writer", { requests: 0, lagSeconds: 100 }),
    ]
    await Promise.all(threads.map((t) => t.handle.ready))
    // The final snapshot is posted on close, so nothing needs to wait for the periodic ones.
    await Promise.all(threads.map((t) => t.handle.close()))
    for (const t of threads) for (const m of t.metrics) aggregator.accept(m.thread, m.snapshot as never)

    const text = await aggregator.metrics()
    const ok0 = sample(text, 'test_requests_total{result="ok",address="a0"}')
    const ok1 = sample(text, 'test_requests_total{result="ok",address="a1"}')
    const nf0 = sample(text, 'test_requests_total{result="notFound",address="a0"}')
    // 160 thread requests (every 4th notFound, all on even indices → a0) plus the main thread's 1,000.
    expect(ok0 + ok1 + nf0).toBe(1_160)
    expect(nf0).toBe(25 + 15)
    expect(sample(text, "test_lag_seconds_count")).toBe(3)
    expect(sample(text, 'test_lag_seconds_bucket{le="2"}')).toBe(1)
    expect(sample(text, 'test_lag_seconds_bucket{le="5"}')).toBe(2)
    expect(sample(text, 'test_lag_seconds_bucket{le="+Inf"}')).toBe(3)
    expect(sample(text, 'test_queue_depth{queue="writer"}')).toBe(21)
    expect(sample(text, "test_low_water_mark")).toBe(17_091_200_569)
    // A newer snapshot of a thread replaces, never adds to, the previous one.
    aggregator.forget("writer")
    expect(sample(await aggregator.metrics(), "test_lag_seconds_count")).toBe(2)
  })

  test("a thread started with heapTrimMs trims its heap until close and reports each trim in its metrics; without it, none", async () => {
    const main = new Registry()
    const aggregator = createWorkerMetricsAggregator(main)
    const trimming = spawn("trimming", { requests: 0, lagSeconds: 0 }, () => {}, 20)
    const plain = spawn("plain", { requests: 0, lagSeconds: 0 })
    await Promise.all([trimming.handle.ready, plain.handle.ready])
    await Bun.sleep(500)
    await Promise.all([trimming.handle.close(), plain.handle.close()])
    for (const t of [trimming, plain]) for (const m of t.metrics) aggregator.accept(m.thread, m.snapshot as never)
    const text = await aggregator.metrics()
    // ~25 turns of 20 ms ± 10 % in 500 ms. Turns while the process is busy (threads starting up)
    // are skipped, so only a few trims are certain.
    expect(sample(text, 'runtime_heap_trim_seconds_count{app="test",thread="trimming"}')).toBeGreaterThanOrEqual(2)
    expect(text).not.toContain('thread="plain"')
  })

  test("a setup that throws rejects ready and is reported once as a crash with its reason", async () => {
    const { handle, crashes } = spawn("t1", { requests: 0, lagSeconds: 0, failSetup: "no database at 127.0.0.1:1" })
    await expect(handle.ready).rejects.toThrow("no database at 127.0.0.1:1")
    expect(crashes).toEqual(["no database at 127.0.0.1:1"])
    expect(await handle.close(2_000)).toBe(false)
  })

  test("an error escaping the thread after start is surfaced as a crash, and close does not hang", async () => {
    const { handle, crashes } = spawn("t2", { requests: 0, lagSeconds: 0 })
    await handle.ready
    const crashed = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (crashes.length > 0) {
          clearInterval(poll)
          resolve()
        }
      }, 5)
    })
    handle.post({ type: "explode" })
    await crashed
    expect(crashes[0]).toContain("exploded on request")
    expect(await handle.close(2_000)).toBe(false)
  })
})

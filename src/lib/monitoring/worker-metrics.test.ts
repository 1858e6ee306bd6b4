import { describe, expect, test } from "bun:test"
import { Worker } from "node:worker_threads"
import { Registry } from "prom-client"
import { registerAtlasMainMetrics, registerAtlasWorkerMetrics } from "./metrics.ts"
import { serveMetrics } from "./serve-metrics.ts"
import { createWorkerMetricsAggregator, type MetricsSnapshot } from "./worker-metrics.ts"

/** Value of one sample line, e.g. sample(text, 'atlas_pgcr_requests_total{result="ok",address="a0"}'). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  if (line === undefined) throw new Error(`series ${series} not found in:\n${text}`)
  return Number(line.slice(series.length + 1))
}

describe("Atlas metrics across Worker threads", () => {
  test("worker snapshots merge with the main registry: counters and histograms sum, main gauges survive", async () => {
    const main = new Registry()
    const mainMetrics = registerAtlasMainMetrics(main)
    const mainWorkerSide = registerAtlasWorkerMetrics(main) // the coordinator records some too
    mainMetrics.lowWater.set(17_091_200_569)
    mainMetrics.limiterCeiling.set({ address: "a0" }, 24.6)
    mainWorkerSide.resolved.inc({ how: "gap" }, 30_000)
    const aggregator = createWorkerMetricsAggregator(main)

    const specs = [
      { id: "fetcher-0", requests: 100, lagSeconds: 1.5 },
      { id: "fetcher-1", requests: 60, lagSeconds: 4 },
      { id: "writer", requests: 0, lagSeconds: 100_000 },
    ]
    const workers = specs.map((s) => new Worker(new URL("./testing/metrics-worker.ts", import.meta.url), { workerData: s }))
    try {
      const stopped = workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.on("message", (msg: { type: string; id: string; snapshot?: MetricsSnapshot }) => {
              if (msg.type === "metrics") aggregator.accept(msg.id, msg.snapshot!)
              if (msg.type === "stopped") resolve()
            })
            w.once("error", reject)
          }),
      )
      await Bun.sleep(100) // several periodic snapshots (replacing each other)
      for (const w of workers) w.postMessage({ type: "stop" })
      await Promise.all(stopped)
    } finally {
      await Promise.all(workers.map((w) => w.terminate()))
    }

    const text = await aggregator.metrics()
    // 160 requests: 40 notFound (every 4th), split over two addresses.
    const ok0 = sample(text, 'atlas_pgcr_requests_total{result="ok",address="a0"}')
    const ok1 = sample(text, 'atlas_pgcr_requests_total{result="ok",address="a1"}')
    const nf0 = sample(text, 'atlas_pgcr_requests_total{result="notFound",address="a0"}')
    expect(ok0 + ok1 + nf0).toBe(160)
    expect(nf0).toBe(25 + 15)
    expect(sample(text, 'atlas_throttles_total{kind="rate",address="a0"}')).toBe(3)
    expect(sample(text, "atlas_lag_seconds_count")).toBe(3)
    expect(sample(text, 'atlas_lag_seconds_bucket{le="2"}')).toBe(1)
    expect(sample(text, 'atlas_lag_seconds_bucket{le="5"}')).toBe(2)
    expect(sample(text, 'atlas_lag_seconds_bucket{le="+Inf"}')).toBe(3)
    expect(sample(text, 'atlas_queue_depth{queue="writer"}')).toBe(21)
    expect(sample(text, 'atlas_resolved_ids_total{how="gap"}')).toBe(30_000)
    expect(sample(text, "atlas_low_water_mark")).toBe(17_091_200_569)
    expect(sample(text, 'atlas_limiter_ceiling_rps{address="a0"}')).toBe(24.6)

    // A newer snapshot of a worker replaces, never adds to, its previous one.
    const again = await aggregator.metrics()
    expect(sample(again, "atlas_lag_seconds_count")).toBe(3)
    aggregator.forget("writer")
    expect(sample(await aggregator.metrics(), "atlas_lag_seconds_count")).toBe(2)
  })

  test("serveMetrics exposes /metrics and /healthz on an ephemeral port", async () => {
    const registry = new Registry()
    registerAtlasMainMetrics(registry).share404.set(0.025)
    let healthy = true
    const server = serveMetrics({ port: 0, hostname: "127.0.0.1", registry, health: () => ({ ok: healthy, lowWater: "17091200569" }) })
    try {
      expect(server.port).toBeGreaterThan(0)
      const metrics = await fetch(`${server.url}/metrics`)
      expect(metrics.status).toBe(200)
      expect(metrics.headers.get("content-type")).toContain("text/plain")
      expect(sample(await metrics.text(), "atlas_404_share")).toBe(0.025)
      const health = await fetch(`${server.url}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ ok: true, lowWater: "17091200569" })
      healthy = false
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503)
      expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    } finally {
      await server.stop()
    }
  })
})

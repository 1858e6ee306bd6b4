/**
 * Worker entry for the metrics aggregation test: records a known amount into the Atlas worker
 * metrics and reports snapshots to the parent until told to stop.
 * workerData: { id, requests, lagSeconds }
 */
import { parentPort, workerData } from "node:worker_threads"
import { Registry } from "prom-client"
import { registerAtlasWorkerMetrics } from "../metrics.ts"
import { startWorkerMetricsReporter } from "../worker-metrics.ts"

const { id, requests, lagSeconds } = workerData as { id: string; requests: number; lagSeconds: number }
const registry = new Registry()
const m = registerAtlasWorkerMetrics(registry)
const reporter = startWorkerMetricsReporter({
  registry,
  intervalMs: 20,
  post: (snapshot) => parentPort!.postMessage({ type: "metrics", id, snapshot }),
})
for (let i = 0; i < requests; i++) m.requests.inc({ result: i % 4 === 0 ? "notFound" : "ok", address: `a${i % 2}` })
m.throttles.inc({ kind: "rate", address: "a0" })
m.lag.observe(lagSeconds)
m.queueDepth.set({ queue: "writer" }, 7)
parentPort!.on("message", async (msg: { type: string }) => {
  if (msg.type !== "stop") return
  await reporter.stop()
  parentPort!.postMessage({ type: "stopped", id })
})

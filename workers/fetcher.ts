/**
 * Fetcher Worker: attaches the shared id space and limiter, builds one transport per source
 * address and runs the FetchLoop. Raids and ledger rows go to the pg-writer over its own
 * MessagePort; acks and compact stats go to the coordinator.
 */

import { Registry } from "prom-client"
import { FetchLoop } from "../src/apps/atlas/fetch-loop.ts"
import { IdSpace } from "../src/apps/atlas/id-space.ts"
import type { FetcherToMain, MainToFetcher } from "../src/apps/atlas/messages.ts"
import { createPgcrAttempter } from "../src/apps/atlas/pgcr-attempt.ts"
import type { RetryPolicyOptions } from "../src/apps/atlas/retry-policy.ts"
import { loadDefinitions } from "../src/lib/definitions.ts"
import { createLogger, type LogLevel } from "../src/lib/monitoring/logger.ts"
import { registerAtlasWorkerMetrics } from "../src/lib/monitoring/metrics.ts"
import { startWorkerMetricsReporter } from "../src/lib/monitoring/worker-metrics.ts"
import { attachLimiter } from "../src/lib/ratelimit/index.ts"

export interface FetcherInit {
  type: "init"
  worker: number
  idSpace: SharedArrayBuffer
  limiter: SharedArrayBuffer
  writerPort: MessagePort
  baseUrl: string
  apiKey: string
  timeoutMs: number
  sourceAddresses: string[]
  /** Metric label per address index. */
  addressNames: string[]
  lanes: number
  blockSize: bigint
  writerQueueBound: number
  retryQueueBound: number
  policy?: RetryPolicyOptions
  logLevel: LogLevel
}

declare const self: Worker

// Signals belong to the coordinator, which drains this thread in order; without a handler here
// the runtime's default action would end the whole process mid-drain.
process.on("SIGINT", () => {})
process.on("SIGTERM", () => {})

const report = (message: FetcherToMain, transfer: ArrayBuffer[] = []) => self.postMessage(message, transfer)

self.onmessage = (event: MessageEvent<FetcherInit>) => {
  if (event.data?.type !== "init") return
  const init = event.data
  const log = createLogger({ level: init.logLevel, fields: { app: "atlas", thread: `fetcher-${init.worker}` }, secrets: [init.apiKey] })
  const attempter = createPgcrAttempter({
    baseUrl: init.baseUrl,
    apiKey: init.apiKey,
    timeoutMs: init.timeoutMs,
    sourceAddresses: init.sourceAddresses,
  })
  const registry = new Registry()
  const metrics = registerAtlasWorkerMetrics(registry)
  const reporter = startWorkerMetricsReporter({ registry, post: (snapshot) => report({ type: "metrics", worker: init.worker, snapshot }) })
  const loop = new FetchLoop({
    metrics,
    addressNames: init.addressNames,
    worker: init.worker,
    space: new IdSpace(init.idSpace),
    limiter: attachLimiter(init.limiter),
    attempter,
    defs: loadDefinitions(),
    writer: init.writerPort,
    report,
    lanes: init.lanes,
    blockSize: init.blockSize,
    writerQueueBound: init.writerQueueBound,
    retryQueueBound: init.retryQueueBound,
    policy: init.policy,
    log,
  })
  self.onmessage = (control: MessageEvent<MainToFetcher>) => {
    const message = control.data
    if (message.type === "drain") loop.drain()
    else if (message.type === "gap") loop.dropRange(message.from, message.to)
  }
  void loop.run().then(async () => {
    attempter.close()
    await reporter.stop()
    report({ type: "drained", worker: init.worker })
  })
}

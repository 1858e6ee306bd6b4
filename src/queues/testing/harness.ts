/**
 * What every queue-worker integration test needs: a migrated Postgres database, the simulator
 * (no throttle, no latency unless asked), a private RabbitMQ vhost, the rate-limited Bungie client
 * aimed at the simulator, and hermes started in-process with the workers under test.
 */
import type { Connection } from "rabbitmq-client"
import { type HermesHandle, type HermesOptions, startHermes } from "../../apps/hermes/runtime/hermes.ts"
import type { HermesMetrics } from "../../apps/hermes/runtime/hermes-metrics.ts"
import { createRateLimitedBungie, type RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { type Definitions, loadDefinitions } from "../../lib/definitions.ts"
import type { ConfirmedPublisher } from "../../lib/messaging/confirmed-publisher.ts"
import type { QueueWorker } from "../../lib/messaging/queue-worker.ts"
import { QUEUE_NAMES, type QueueName, type QueueSpec } from "../../lib/messaging/queues.ts"
import { connectRabbit } from "../../lib/messaging/rabbit-connection.ts"
import { rawBody } from "../../lib/messaging/raw-bodies.ts"
import { createTestVhost, type TestVhost } from "../../lib/messaging/testing/test-vhost.ts"
import { declareQueueTopology } from "../../lib/messaging/topology.ts"
import { createLogger, type Logger } from "../../lib/monitoring/logger.ts"
import { createSharedLimiter } from "../../lib/ratelimit/index.ts"
import { type SimHandle, type SimOptions, startSim } from "../../sim/server.ts"

export interface Harness {
  db: TestDatabase
  sim: SimHandle
  vhost: TestVhost
  rabbit: Connection
  bungie: RateLimitedBungie
  defs: Definitions
  log: Logger
  /** Starts hermes on the vhost with these workers (built once the runtime's publisher exists). */
  hermes(
    workers: Partial<Record<QueueName, (publisher: ConfirmedPublisher, metrics: HermesMetrics) => QueueWorker>>,
    options?: Partial<HermesOptions> & { specOverrides?: Partial<Record<QueueName, Partial<QueueSpec>>> },
  ): Promise<HermesHandle>
  publish(queue: string, body: string, contentType?: string, headers?: Record<string, unknown>): Promise<void>
  /** Removes and returns every message of a queue. */
  drain(queue: string): Promise<{ body: string; headers: Record<string, unknown> }[]>
  depth(queue: string): Promise<number>
  close(): Promise<void>
}

export async function createHarness(sim: SimOptions = {}): Promise<Harness> {
  const [db, vhost, simHandle] = await Promise.all([
    createTestDatabase({ migrate: true }),
    createTestVhost("workers"),
    startSim({ seed: 7, scenario: "calm", port: 0, latency: 0, throttle: { enabled: false }, ...sim }),
  ])
  const rabbit = connectRabbit(vhost.url, { name: "harness", onError: () => {} })
  await rabbit.onConnect(10_000, true)
  // Producers declare the topology before publishing (as the outbox relay does).
  for (const queue of QUEUE_NAMES) await declareQueueTopology(rabbit, queue)
  const { limiter } = createSharedLimiter({
    addresses: 1,
    initialCeiling: 2_000,
    maxCeiling: 4_000,
    maxConcurrency: 64,
    initialConcurrency: 32,
  })
  const bungie = createRateLimitedBungie({ limiter, baseUrl: simHandle.url, apiKey: "harness-key", timeoutMs: 10_000, sourceAddresses: [] })
  const log = createLogger({ level: (process.env.TEST_LOG_LEVEL as "silent") ?? "silent" })
  const started: HermesHandle[] = []
  const publisher = rabbit.createPublisher({ confirm: true })
  return {
    db,
    sim: simHandle,
    vhost,
    rabbit,
    bungie,
    defs: loadDefinitions(),
    log,
    async hermes(workers, options = {}) {
      const handle = await startHermes({
        connection: rabbit,
        queues: Object.keys(workers) as QueueName[],
        createWorker: (queue, pub, metrics) => workers[queue]?.(pub, metrics),
        getSettings: () => bungie.getSettings(),
        availability: { intervalMs: 200, fastIntervalMs: 100, minDisabledMs: 300 },
        onBungieEnabled: () => {
          if (bungie.limiter && bungie.limiter.snapshot().pauseReason === "disabled") bungie.limiter.resume()
        },
        metricsPort: 0,
        scaleIntervalMs: 60_000,
        log,
        ...options,
      })
      started.push(handle)
      return handle
    },
    async publish(queue, body, contentType = "application/json", headers) {
      await publisher.send({ routingKey: queue, contentType, durable: true, mandatory: true, headers }, Buffer.from(body))
    },
    async drain(queue) {
      const out = []
      for (;;) {
        const m = await rabbit.basicGet({ queue, noAck: true })
        if (!m) return out
        out.push({ body: rawBody(m).body.toString(), headers: (m.headers ?? {}) as Record<string, unknown> })
      }
    },
    async depth(queue) {
      return (await rabbit.queueDeclare({ queue, passive: true })).messageCount
    },
    async close() {
      for (const h of started) await h.stop().catch(() => {})
      await publisher.close().catch(() => {})
      await rabbit.close().catch(() => {})
      bungie.close()
      await Promise.all([db.drop(), vhost.drop(), simHandle.stop()])
    },
  }
}

/**
 * Published raid (and other) ids of the simulator's history, from its ground truth: `span` ids
 * ending `offset` ids below its start. The default offset keeps clear of the newest history, whose
 * PGCRs may still be incomplete (the simulator serves first versions without all entries for up
 * to 3 minutes after publication).
 */
export function pickIds(sim: SimHandle, span = 4_000, offset = 12_000): { raids: bigint[]; others: bigint[] } {
  const end = BigInt(sim.truth.frontier().startId) - BigInt(offset)
  const truth = sim.truth.range(end - BigInt(span), end)
  const published = truth.filter((e) => e.state === "published")
  return {
    raids: published.filter((e) => e.isRaid).map((e) => BigInt(e.id)),
    others: published.filter((e) => e.kind === "other").map((e) => BigInt(e.id)),
  }
}

/** Messages of `queue` settled with `status` so far (from the hermes registry). */
export async function settledCount(handle: HermesHandle, queue: string, status: string): Promise<number> {
  const metric = await handle.metrics.processed.get()
  return metric.values.filter((v) => v.labels.queue_name === queue && v.labels.status === status).reduce((n, v) => n + v.value, 0)
}

/**
 * Hermes assembled (used by main.ts and, in-process, by tests): declares the topology of every
 * queue in the table (so a producer's message is never dropped for want of a queue, consumed or
 * not), runs a QueueRunner per selected queue that has a worker, watches Bungie availability,
 * autoscales each queue from its own counters, serves /metrics, and hosts the outbox relays.
 *
 * Stop (graceful): stop scaling, stop consuming, finish in-flight messages (each settles:
 * nothing is acked before its effect commits), then the relays' final delivery, then the broker.
 */
import { Registry } from "prom-client"
import type { Connection } from "rabbitmq-client"
import { type ConfirmedPublisher, createConfirmedPublisher } from "../../../lib/messaging/confirmed-publisher.ts"
import type { QueueWorker } from "../../../lib/messaging/queue-worker.ts"
import { QUEUE_NAMES, QUEUES, type QueueName, type QueueSpec } from "../../../lib/messaging/queues.ts"
import type { RelayHost } from "../../../lib/messaging/relay-host.ts"
import { declareQueueTopology } from "../../../lib/messaging/topology.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import { type MetricsServer, serveMetrics } from "../../../lib/monitoring/serve-metrics.ts"
import { type Autoscaler, createAutoscaler, DEFAULT_SCALER_PARAMS, type ScalerParams } from "./autoscaler.ts"
import { type AvailabilityMonitor, type AvailabilityOptions, createAvailabilityMonitor } from "./availability.ts"
import { type HermesMetrics, registerHermesMetrics } from "./hermes-metrics.ts"
import { QueueRunner } from "./queue-runner.ts"

export interface HermesOptions {
  connection: Connection
  /** Queues to consume (each needs a worker); every queue of the table is declared regardless. */
  queues: readonly QueueName[]
  /** Builds the worker of a queue once the runtime's publisher exists; undefined = no worker yet. */
  createWorker(queue: QueueName, publisher: ConfirmedPublisher, metrics: HermesMetrics): QueueWorker | undefined
  /** Per-queue changes to the table (tests: short delay tiers, small bounds). */
  specOverrides?: Partial<Record<QueueName, Partial<QueueSpec>>>
  /** Settings for availability; null = always available (no Bungie-dependent workers). */
  getSettings: AvailabilityOptions["getSettings"] | null
  availability?: Partial<Pick<AvailabilityOptions, "intervalMs" | "fastIntervalMs" | "minDisabledMs">>
  /** Called when every paused system is enabled again (resumes the local Bungie limiter). */
  onBungieEnabled?(): void
  relays?: RelayHost | null
  /** null = no server; 0 = any free port. */
  metricsPort: number | null
  scaleIntervalMs?: number
  scaler?: Partial<Omit<ScalerParams, "min" | "max">>
  log: Logger
  registry?: Registry
  now?: () => number
  random?: () => number
}

export interface HermesHandle {
  readonly runners: ReadonlyMap<QueueName, QueueRunner>
  readonly metrics: HermesMetrics
  readonly registry: Registry
  readonly availability: AvailabilityMonitor | null
  readonly metricsUrl: string | null
  /** One autoscaling tick now (depth sampling + decisions); the loop calls it every scaleIntervalMs. */
  scaleOnce(): Promise<void>
  /** Graceful stop; resolves when everything is closed. */
  stop(): Promise<void>
}

export async function startHermes(o: HermesOptions): Promise<HermesHandle> {
  const log = o.log
  const now = o.now ?? Date.now
  const registry = o.registry ?? new Registry()
  const metrics = registerHermesMetrics(registry)
  const specs = new Map<QueueName, QueueSpec>(QUEUE_NAMES.map((name) => [name, { ...QUEUES[name], ...o.specOverrides?.[name] }]))
  for (const spec of specs.values()) await declareQueueTopology(o.connection, spec.name, spec.retrySchedule)
  const publisher = createConfirmedPublisher(o.connection)

  const runners = new Map<QueueName, QueueRunner>()
  const scalers = new Map<QueueName, Autoscaler>()
  let availability: AvailabilityMonitor | null = null
  for (const queue of o.queues) {
    const spec = specs.get(queue)!
    const worker = o.createWorker(queue, publisher, metrics)
    if (!worker) {
      log.warn("hermes.queue.no_worker", { queue, note: "declared; its messages wait until a worker exists" })
      continue
    }
    runners.set(
      queue,
      new QueueRunner({
        connection: o.connection,
        publisher,
        spec,
        worker,
        log,
        metrics,
        now: o.now,
        random: o.random,
        onSystemDisabled: (system, reason) => {
          availability?.reportDisabled(system, reason)
          // A system this queue does not list (an endpoint answered 5 anyway): pause it too.
          if (!spec.bungieSystems.includes(system)) runners.get(queue)?.pause(`bungie:${system}`)
        },
      }),
    )
    scalers.set(queue, createAutoscaler({ ...DEFAULT_SCALER_PARAMS, ...o.scaler, min: spec.workers.min, max: spec.workers.max }))
  }

  if (o.getSettings) {
    availability = createAvailabilityMonitor({
      getSettings: o.getSettings,
      log,
      now: o.now,
      ...o.availability,
      onChange: (system, enabled) => {
        for (const [queue, runner] of runners) {
          const listed = specs.get(queue)!.bungieSystems.includes(system)
          if (enabled) runner.resume(`bungie:${system}`)
          else if (listed) runner.pause(`bungie:${system}`)
        }
        if (enabled && [...runners.values()].every((r) => !r.pauseReasons.some((p) => p.startsWith("bungie:")))) o.onBungieEnabled?.()
      },
    })
    // Know the state before consuming: a queue whose system is down starts paused.
    await availability.poll()
  }
  for (const runner of runners.values()) runner.start()
  availability?.start()

  async function scaleOnce(): Promise<void> {
    for (const spec of specs.values()) {
      let depth: number
      try {
        depth = (await o.connection.queueDeclare({ queue: spec.name, passive: true })).messageCount
      } catch (error) {
        log.warn("hermes.depth_failed", { queue: spec.name, error })
        continue
      }
      metrics.depth.set({ queue_name: spec.name }, depth)
      const runner = runners.get(spec.name)
      const scaler = scalers.get(spec.name)
      // A paused queue serves nothing on purpose: its backlog says nothing about the workers it
      // needs. The first sample after the resume sees the grown depth and scales from there.
      if (!runner || !scaler || runner.paused) continue
      const decision = scaler.observe({
        now: now(),
        depth,
        served: runner.served,
        busyMs: runner.busyMs,
        workers: runner.desired,
        concurrencyPerWorker: spec.perWorker.concurrency,
      })
      if (decision.direction === "none" || decision.target === runner.desired) continue
      metrics.scaling.inc({ queue_name: spec.name, direction: decision.direction })
      log.info("hermes.scale", {
        queue: spec.name,
        direction: decision.direction,
        from: runner.desired,
        to: decision.target,
        reason: decision.reason,
        depth,
        arrivalPerSec: round(decision.arrivalPerSec),
        servicePerSlotPerSec: decision.servicePerSlotPerSec === null ? null : round(decision.servicePerSlotPerSec),
      })
      runner.setWorkers(decision.target)
    }
  }

  const scaleIntervalMs = o.scaleIntervalMs ?? 5_000
  let scaling: Promise<void> | null = null
  const scaleTimer = setInterval(() => {
    scaling ??= scaleOnce()
      .catch((error) => log.warn("hermes.scale_failed", { error }))
      .finally(() => {
        scaling = null
      })
  }, scaleIntervalMs)

  let server: MetricsServer | null = null
  if (o.metricsPort !== null) {
    server = serveMetrics({
      port: o.metricsPort,
      registry,
      health: () => ({
        ok: true,
        queues: Object.fromEntries([...runners].map(([q, r]) => [q, { workers: r.running, desired: r.desired, paused: r.pauseReasons }])),
      }),
    })
    log.info("hermes.metrics", { url: `${server.url}/metrics` })
  }
  log.info("hermes.started", { queues: [...runners.keys()], relays: o.relays != null })

  let stopping: Promise<void> | null = null
  return {
    runners,
    metrics,
    registry,
    availability,
    metricsUrl: server?.url ?? null,
    scaleOnce,
    stop() {
      stopping ??= (async () => {
        log.info("hermes.stopping", {})
        clearInterval(scaleTimer)
        availability?.stop()
        await scaling
        await Promise.all([...runners.values()].map((r) => r.stop()))
        await o.relays?.close().catch((error) => log.warn("hermes.relays.close_failed", { error }))
        await publisher.close().catch(() => {})
        await server?.stop()
        log.info("hermes.stopped", {})
      })()
      return stopping
    },
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}

/**
 * One queue in hermes: a pool of consumers (rabbitmq-client, manual ack, bounded prefetch, one
 * channel each), the worker's handler behind decoding, a timeout and settlement, and the pause
 * state. The autoscaler sets the pool size; pauses (Bungie system disabled, a dependency down, the
 * worker's own gate) cancel every consumer so no message is held, and resume by themselves.
 *
 *   delivery → decode (unparseable → .dead) → worker.handle (timeout → retry; throw → retry)
 *            → settle (confirmed publishes) → ack / nack(requeue)
 *
 * Counters `served` and `busyMs` feed the autoscaler.
 */
import { type AsyncMessage, type Channel, type Connection, type Consumer, ConsumerStatus, type SyncMessage } from "rabbitmq-client"
import type { ConfirmedPublisher } from "../../../lib/messaging/confirmed-publisher.ts"
import type { Delivery, Outcome, QueueControl, QueueWorker } from "../../../lib/messaging/queue-worker.ts"
import type { QueueSpec } from "../../../lib/messaging/queues.ts"
import { rawBody } from "../../../lib/messaging/raw-bodies.ts"
import { readRetryCount } from "../../../lib/messaging/retry-schedule.ts"
import { describeQueueTopology } from "../../../lib/messaging/topology.ts"
import { decodeBody } from "../../../lib/messaging/wire-format.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { HermesMetrics } from "./hermes-metrics.ts"
import { type SettleContext, type Settlement, settle } from "./settle.ts"

export interface QueueRunnerOptions {
  connection: Connection
  publisher: ConfirmedPublisher
  spec: QueueSpec
  worker: QueueWorker
  log: Logger
  metrics: HermesMetrics
  /** A handler reported a Bungie system disabled: the availability monitor pauses every queue needing it. */
  onSystemDisabled(system: string, reason: string): void
  now?: () => number
  random?: () => number
}

const SETTLED_OK: Settlement = { action: "ack", status: "ok" }

/** Longest and shortest wait of a dependency pause (resumeAfterMs is clamped into this, then jittered). */
const DEPENDENCY_PAUSE_MS = { min: 1_000, max: 60_000 }

export class QueueRunner implements QueueControl {
  readonly name: string
  /** Workers the autoscaler wants (consumers run only while not paused). */
  desired: number
  served = 0
  busyMs = 0
  private readonly consumers: Consumer[] = []
  private readonly closing = new Set<Promise<void>>()
  private readonly pauses = new Set<string>()
  /** Handlers running now, with the time (performance.now) they time out and how. */
  private readonly inFlight = new Map<AbortController, { deadline: number; expire: () => void }>()
  private sweeper: ReturnType<typeof setInterval> | null = null
  private readonly processedBy = new Map<string, { inc(): void }>()
  private readonly durationOf: { observe(seconds: number): void }
  private readonly settleContext: SettleContext
  private readonly declaration
  private probeChannel: Channel | null = null
  private dependencyTimer: ReturnType<typeof setTimeout> | null = null
  private stopped = false

  constructor(private readonly o: QueueRunnerOptions) {
    this.name = o.spec.name
    this.desired = o.spec.workers.initial
    this.declaration = describeQueueTopology(o.spec.name, o.spec.retrySchedule)[0]!
    this.durationOf = o.metrics.duration.labels(o.spec.name)
    this.settleContext = { queue: o.spec.name, schedule: o.spec.retrySchedule, publisher: o.publisher, now: o.now, random: o.random }
  }

  get paused(): boolean {
    return this.pauses.size > 0
  }

  get running(): number {
    return this.consumers.length
  }

  get pauseReasons(): string[] {
    return [...this.pauses]
  }

  /** Starts the worker's background work and the consumers (unless paused meanwhile). */
  start(): void {
    // One timer for every handler timeout (a timer per message would cost more than the runtime).
    this.sweeper = setInterval(
      () => {
        const now = performance.now()
        for (const entry of this.inFlight.values()) if (entry.deadline <= now) entry.expire()
      },
      Math.min(1_000, this.o.spec.handlerTimeoutMs),
    )
    this.o.worker.start?.(this)
    this.reconcile()
  }

  /** Sets the pool size (bounded by the spec); applied now unless paused. */
  setWorkers(n: number): void {
    this.desired = Math.min(this.o.spec.workers.max, Math.max(this.o.spec.workers.min, Math.round(n)))
    this.reconcile()
  }

  pause(reason: string): void {
    if (this.stopped || this.pauses.has(reason)) return
    this.pauses.add(reason)
    this.o.metrics.paused.set({ queue_name: this.name, reason }, 1)
    if (this.pauses.size > 1) return
    this.o.log.info("hermes.queue.paused", { queue: this.name, reason })
    // Handlers waiting on Bungie give up now and hand their messages back.
    for (const controller of this.inFlight.keys()) controller.abort(new Error(`queue paused: ${reason}`))
    this.reconcile()
  }

  resume(reason: string): void {
    if (!this.pauses.delete(reason)) return
    this.o.metrics.paused.set({ queue_name: this.name, reason }, 0)
    if (this.pauses.size > 0 || this.stopped) return
    this.o.log.info("hermes.queue.resumed", { queue: this.name, reason })
    this.reconcile()
  }

  async probe(): Promise<Outcome | null> {
    if (this.stopped) return null
    const channel = await this.ensureProbeChannel()
    const message = await channel.basicGet({ queue: this.name, noAck: false })
    if (!message) return null
    const { outcome, settlement } = await this.process(message, true)
    if (settlement.action === "ack") channel.basicAck({ deliveryTag: message.deliveryTag })
    else channel.basicNack({ deliveryTag: message.deliveryTag, requeue: true })
    return outcome
  }

  /** Stops consuming, finishes in-flight messages, stops the worker. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.dependencyTimer) clearTimeout(this.dependencyTimer)
    await this.o.worker.stop?.()
    this.reconcile()
    await Promise.allSettled([...this.closing])
    if (this.sweeper) clearInterval(this.sweeper)
    await this.probeChannel?.close().catch(() => {})
    this.o.metrics.workers.set({ queue_name: this.name }, 0)
  }

  private reconcile(): void {
    const target = this.stopped || this.paused ? 0 : this.desired
    while (this.consumers.length < target) this.consumers.push(this.createConsumer())
    while (this.consumers.length > target) {
      const consumer = this.consumers.pop()!
      const closing = consumer.close().catch((error) => this.o.log.warn("hermes.consumer.close_failed", { queue: this.name, error }))
      this.closing.add(closing)
      void closing.finally(() => this.closing.delete(closing))
    }
    this.o.metrics.workers.set({ queue_name: this.name }, this.consumers.length)
  }

  private createConsumer(): Consumer {
    const { spec } = this.o
    const consumer = this.o.connection.createConsumer(
      {
        queue: spec.name,
        queueOptions: this.declaration,
        qos: { prefetchCount: spec.perWorker.prefetch },
        concurrency: spec.perWorker.concurrency,
        // A settlement that failed (connection lost mid-publish) leaves the message to the broker.
        requeue: true,
      },
      async (message: AsyncMessage) => {
        const { settlement } = await this.process(message, false)
        return settlement.action === "ack" ? ConsumerStatus.ACK : ConsumerStatus.REQUEUE
      },
    )
    consumer.on("error", (error) => this.o.log.warn("hermes.consumer.error", { queue: spec.name, error }))
    return consumer
  }

  private async process(message: AsyncMessage | SyncMessage, probe: boolean): Promise<{ outcome: Outcome; settlement: Settlement }> {
    const started = performance.now()
    const { spec } = this.o
    const raw = rawBody(message)
    const headers = (message.headers ?? {}) as Record<string, unknown>
    const retryCount = readRetryCount(headers)
    let outcome: Outcome
    if (raw.contentEncoding !== undefined)
      outcome = { kind: "reject", reason: `unparseable: unsupported content encoding ${raw.contentEncoding}` }
    else {
      const decoded = decodeBody(spec.format, raw.body, raw.contentType)
      if (!decoded.ok) outcome = { kind: "reject", reason: `unparseable: ${decoded.reason}` }
      else {
        outcome = await this.runHandler({
          queue: spec.name,
          value: decoded.value,
          body: raw.body,
          contentType: raw.contentType,
          headers,
          messageId: message.messageId,
          retryCount,
          redelivered: message.redelivered,
          probe,
        })
      }
    }
    const settlement =
      outcome.kind === "ok"
        ? SETTLED_OK
        : await settle(
            this.settleContext,
            { body: raw.body, contentType: raw.contentType, messageId: message.messageId, headers, retryCount },
            outcome,
          )
    const elapsedMs = performance.now() - started
    this.served++
    this.busyMs += elapsedMs
    this.countProcessed(settlement.status)
    this.durationOf.observe(elapsedMs / 1000)
    if (settlement.status === "dead")
      this.o.log.warn("hermes.message.dead", { queue: spec.name, messageId: message.messageId, reason: settlement.reason })
    else if (settlement.status === "retry")
      this.o.log.debug("hermes.message.retry", { queue: spec.name, retryCount, reason: settlement.reason })
    if (outcome.kind === "pause") this.onPauseOutcome(outcome)
    return { outcome, settlement }
  }

  private async runHandler(delivery: Omit<Delivery<unknown>, "signal">): Promise<Outcome> {
    // A message delivered after the pause (the broker sends until basic.cancel-ok, and the
    // consumer's prefetch buffer drains into handlers while it closes) goes back untouched: its
    // handler would start after the pause aborted the others and could wait on Bungie until the
    // system is back, holding its consumer's close and every message prefetched with it. A probe
    // is how a paused queue asks whether it may resume: it runs.
    if (this.paused && !delivery.probe) return { kind: "requeue", reason: "queue paused", position: "head" }
    const controller = new AbortController()
    const timeoutMs = this.o.spec.handlerTimeoutMs
    // Whichever comes first settles it: the handler's answer, or the sweeper's timeout.
    let finish: (outcome: Outcome) => void = () => {}
    const result = new Promise<Outcome>((resolve) => {
      finish = resolve
    })
    this.inFlight.set(controller, {
      deadline: performance.now() + timeoutMs,
      expire: () => {
        controller.abort(new Error("handler timeout"))
        finish({ kind: "retry", reason: `handler timed out after ${timeoutMs} ms` })
      },
    })
    this.o.worker
      .handle({ ...delivery, signal: controller.signal })
      .then(finish, (error) =>
        finish({ kind: "retry", reason: `handler failed: ${error instanceof Error ? error.message : String(error)}` }),
      )
    try {
      const outcome = await result
      // A handler cut short by a pause hands its message back in place, without burning a retry
      // (and without reading as an outage of its own: the pause already has its reason).
      if (this.paused && outcome.kind === "retry" && controller.signal.aborted) {
        return { kind: "requeue", reason: `interrupted by a pause: ${outcome.reason}`, position: "head" }
      }
      return outcome
    } finally {
      this.inFlight.delete(controller)
    }
  }

  private countProcessed(status: string): void {
    let counter = this.processedBy.get(status)
    if (!counter) {
      counter = this.o.metrics.processed.labels(this.name, status)
      this.processedBy.set(status, counter)
    }
    counter.inc()
  }

  private onPauseOutcome(outcome: Extract<Outcome, { kind: "pause" }>): void {
    const system = outcome.system ?? (outcome.resumeAfterMs === undefined ? this.o.spec.bungieSystems[0] : undefined)
    if (system !== undefined) {
      this.o.onSystemDisabled(system, outcome.reason)
      return
    }
    if (this.pauses.has("dependency")) return
    const base = Math.min(DEPENDENCY_PAUSE_MS.max, Math.max(DEPENDENCY_PAUSE_MS.min, outcome.resumeAfterMs ?? 5_000))
    const waitMs = base * (0.8 + 0.4 * (this.o.random ?? Math.random)())
    this.o.log.warn("hermes.queue.dependency_down", { queue: this.name, reason: outcome.reason, resumeInMs: Math.round(waitMs) })
    this.pause("dependency")
    this.dependencyTimer = setTimeout(() => {
      this.dependencyTimer = null
      this.resume("dependency")
    }, waitMs)
  }

  private async ensureProbeChannel(): Promise<Channel> {
    if (this.probeChannel?.active) return this.probeChannel
    this.probeChannel = await this.o.connection.acquire()
    return this.probeChannel
  }
}

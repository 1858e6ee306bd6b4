/**
 * The fetcher's work loop (runs inside a fetcher Worker; thread plumbing is in workers/fetcher.ts).
 *
 * Lanes (concurrent async loops) take the next task: due fast retries (404s at the head,
 * transient failures) and first tries alternate; first tries are the next id of the locally
 * claimed block, else a new block claimed from the shared cursor — unless the writer queue or
 * this fetcher's retry queues are over their bound (backpressure) or the loop is draining.
 * Patient retries (holes, incomplete refetches) take every fourth turn and any idle one, so a
 * late clump's hundreds of ids cannot eat the budget the head needs. When a hole is found, its
 * waiting neighbours (here, and through the id space in the other fetchers) become due at once:
 * Bungie publishes a late clump all at once.
 * Every HTTP attempt holds a permit of the shared limiter and returns it with its outcome.
 *
 * Results: raids go to the pg-writer as msgpackr bytes (buffer transferred) and are acked by the
 * writer after COMMIT; non-raids are acked here; the ledger goes through the writer. Statistics go
 * to the coordinator a few times a second, never per id.
 */
import { encodeRawPgcr } from "../../lib/database/raw-pgcr-codec.ts"
import type { Definitions } from "../../lib/definitions.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import type { AtlasWorkerMetrics } from "../../lib/monitoring/metrics.ts"
import { processPgcr } from "../../lib/pgcr/process.ts"
import type { Limiter, Permit } from "../../lib/ratelimit/index.ts"
import type { IdSpace } from "./id-space.ts"
import { toLimiterOutcome } from "./limiter-outcome.ts"
import { type FetcherStats, type FetcherToMain, type MissedItem, type MissedReason, postWriterItem } from "./messages.ts"
import type { PgcrAttempter } from "./pgcr-attempt.ts"
import {
  createIdHistory,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  type IdHistory,
  type RetryDecision,
  type RetryPolicyOptions,
} from "./retry-policy.ts"
import { RetryQueue } from "./retry-queue.ts"

export interface WriterPortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void
}

export interface FetchLoopOptions {
  worker: number
  space: IdSpace
  limiter: Limiter
  attempter: PgcrAttempter
  defs: Definitions
  writer: WriterPortLike
  report: (message: FetcherToMain, transfer?: ArrayBuffer[]) => void
  lanes: number
  blockSize: bigint
  /** Stop claiming while the pg-writer holds more items than this. */
  writerQueueBound: number
  /** Stop claiming while this fetcher holds more retries than this. */
  retryQueueBound: number
  policy?: RetryPolicyOptions
  log: Logger
  statsIntervalMs?: number
  now?: () => number
  /** Worker-scope series (shared definitions); snapshots are posted by the worker entry. */
  metrics?: AtlasWorkerMetrics
  /** Label per limiter address index. */
  addressNames?: readonly string[]
}

interface Task {
  id: bigint
  history: IdHistory
  cacheBust: number
  first: boolean
}

const LAG_SAMPLE_CAP = 500
/** Every PATIENT_TURN-th task may be a due patient retry even while first tries wait. */
const PATIENT_TURN = 4
/** A found hole promotes waiting holes this many ids either side (late clumps are 20-300 ids). */
const PROMOTE_RADIUS = 1_000n
/** A promoted id is not promoted again for this long (bounds the requests one clump can cost). */
const PROMOTE_COOLDOWN_MS = 10_000

function emptyStats(): FetcherStats {
  return {
    results: {},
    notFoundFirst: 0,
    firstTries: 0,
    lagSamples: [],
    raids: 0,
    nonRaids: 0,
    missed: 0,
    inFlight: 0,
    retryQueue: 0,
    latencyMs: 0,
    newest: null,
  }
}

export class FetchLoop {
  /** Head 404s, transient failures, throttle waits: latency matters. */
  private readonly retries = new RetryQueue()
  /** Holes and incomplete refetches: they yield to the head. */
  private readonly patient = new RetryQueue()
  private lastHoleFilled = 0n
  private turn = 0
  private local: bigint[] = []
  private resolved: bigint[] = []
  private stats = emptyStats()
  private latencySum = 0
  private latencyCount = 0
  private inFlight = 0
  private draining = false
  private readonly abort = new AbortController()
  private tickWaiters: (() => void)[] = []
  private firstTryNext = false
  private tickTimer: ReturnType<typeof setTimeout> | null = null
  private flushTimer: ReturnType<typeof setInterval> | null = null
  private readonly policy: RetryPolicyOptions
  private readonly now: () => number

  constructor(private readonly o: FetchLoopOptions) {
    this.policy = o.policy ?? DEFAULT_RETRY_POLICY
    this.now = o.now ?? Date.now
  }

  /** Runs until drain() is called and in-flight work is done. */
  async run(): Promise<void> {
    this.flushTimer = setInterval(() => this.flushStats(), this.o.statsIntervalMs ?? 250)
    const lanes = Array.from({ length: this.o.lanes }, () => this.lane())
    await Promise.all(lanes)
    clearInterval(this.flushTimer)
    this.flushStats()
    // Claimed-but-unfetched ids and pending retries stay unresolved: the checkpoint is below them.
    this.o.space.addRetryBacklog(-this.retryCount)
  }

  private get retryCount(): number {
    return this.retries.size + this.patient.size
  }

  /** Stop taking new work; lanes finish their current request and exit. */
  drain(): void {
    this.draining = true
    this.abort.abort(new Error("draining"))
    this.wakeAll()
  }

  /** A gap range now covers these ids: stop retrying them. */
  dropRange(from: bigint, to: bigint): void {
    const dropped = this.retries.dropRange(from, to) + this.patient.dropRange(from, to)
    this.o.space.addRetryBacklog(-dropped)
    this.local = this.local.filter((id) => id < from || id >= to)
  }

  private async lane(): Promise<void> {
    while (!this.draining) {
      const task = this.nextTask()
      if (!task) {
        await this.waitTick()
        continue
      }
      this.inFlight++
      try {
        await this.runTask(task)
      } catch (error) {
        if (this.draining) return
        // A bug: never lose the id, put it back and say so.
        this.o.log.error("atlas.fetcher.task_failed", { id: task.id, error })
        this.schedule(task, { action: "retry", delayMs: 5_000, cacheBust: false, patient: false })
      } finally {
        this.inFlight--
      }
    }
  }

  private nextTask(): Task | null {
    const now = this.now()
    const filled = this.o.space.holeFilled
    if (filled !== this.lastHoleFilled) {
      this.lastHoleFilled = filled
      this.promoteAround(filled, now)
    }
    if (++this.turn % PATIENT_TURN === 0) {
      const patient = this.popDue(this.patient, now)
      if (patient) return patient
    }
    // Fast retries and first tries alternate while both wait: 404s at the head must not starve
    // the claims that walk on, nor the other way round.
    if (this.firstTryNext) {
      this.firstTryNext = false
      const first = this.nextFirstTry()
      if (first) return first
    }
    const due = this.popDue(this.retries, now)
    if (due) {
      this.firstTryNext = true
      return due
    }
    return this.nextFirstTry() ?? this.popDue(this.patient, now)
  }

  private popDue(queue: RetryQueue, now: number): Task | null {
    const due = queue.popDue(now)
    if (!due) return null
    this.o.space.addRetryBacklog(-1)
    return { id: due.id, history: due.history, cacheBust: due.cacheBust, first: false }
  }

  /** A hole near `id` was just found: its waiting neighbours are probably published too. */
  private promoteAround(id: bigint, now: number): void {
    const moved = this.patient.promote((e) => {
      const h = e.history
      // NaN (never promoted) compares false: promotable.
      if (!h.hole || now - h.promotedAt < PROMOTE_COOLDOWN_MS) return false
      const distance = e.id > id ? e.id - id : id - e.id
      if (distance > PROMOTE_RADIUS) return false
      h.promotedAt = now
      return true
    }, now)
    if (moved > 0) this.o.metrics?.promoted.inc(moved)
  }

  private nextFirstTry(): Task | null {
    if (this.local.length === 0 && this.mayClaim()) {
      const block = this.o.space.claim(this.o.blockSize)
      if (block) for (let id = block.from; id < block.to; id++) this.local.push(id)
    }
    const id = this.local.shift()
    return id === undefined ? null : { id, history: createIdHistory(), cacheBust: 0, first: true }
  }

  private mayClaim(): boolean {
    return !this.draining && this.o.space.writerQueue < this.o.writerQueueBound && this.retryCount < this.o.retryQueueBound
  }

  private async runTask(task: Task): Promise<void> {
    let permit: Permit
    try {
      permit = await this.o.limiter.acquire(this.abort.signal)
    } catch (error) {
      if (this.draining) return
      throw error
    }
    let result: Awaited<ReturnType<PgcrAttempter["attempt"]>>
    try {
      result = await this.o.attempter.attempt(task.id, permit.addressIndex, task.cacheBust)
    } catch (error) {
      // Never leak a permit: the limiter's in-flight count would shrink the crawl for good.
      permit.release({ kind: "transient", latencyMs: Number.NaN })
      throw error
    }
    const outcome = toLimiterOutcome(result)
    permit.release(outcome)
    this.record(result.kind, outcome.kind, permit.addressIndex)
    const stats = this.stats
    stats.results[result.kind] = (stats.results[result.kind] ?? 0) + 1
    if (result.meta.latencyMs > 0) {
      this.latencySum += result.meta.latencyMs
      this.latencyCount++
    }
    if (task.first) {
      stats.firstTries++
      // Only a 404 past every id this crawl has seen says "we claim ahead of what exists" (the
      // head, or a dead block). A 404 below it is a hole (a late-published clump, a lost PGCR):
      // counting it would make the controller pull the ceiling back from a head it is not ahead of.
      if (result.kind === "notFound" && task.id > this.o.space.crawlNewest) stats.notFoundFirst++
    }
    const now = this.now()
    if ((result.kind === "ok" || result.kind === "blocked") && task.history.hole) {
      // A late clump is being published: fetch the rest of it now, here and in the other fetchers.
      this.o.space.noteHoleFilled(task.id)
      this.lastHoleFilled = task.id
      this.promoteAround(task.id, now)
    }
    switch (result.kind) {
      case "ok": {
        this.o.space.noteSeen(task.id)
        this.noteNewest(task.id, null)
        const processed = processPgcr(result.value.pgcr, this.o.defs)
        if (processed.kind === "raid") {
          const raw = encodeRawPgcr(result.value.bytes)
          postWriterItem(this.o.writer, {
            kind: "raid",
            id: task.id.toString(),
            instance: processed.instance,
            activityId: processed.activityId,
            versionId: processed.versionId,
            raw,
            completedAt: Date.parse(processed.instance.dateCompleted),
          })
          this.o.space.addWriterQueue(1)
          stats.raids++
          this.noteNewest(task.id, Date.parse(processed.instance.dateCompleted))
        } else if (processed.kind === "nonRaid") {
          this.resolve(task.id)
          stats.nonRaids++
          this.o.metrics?.resolved.inc({ how: "nonRaid" })
          const completed = Date.parse(processed.dateCompleted)
          if (Number.isFinite(completed)) this.o.metrics?.lag.observe(Math.max(0, (now - completed) / 1000))
          if (Number.isFinite(completed)) this.noteNewest(task.id, completed)
          if (Number.isFinite(completed) && stats.lagSamples.length < LAG_SAMPLE_CAP)
            stats.lagSamples.push(Math.max(0, (now - completed) / 1000))
          if (processed.unknownRaidHash) this.o.log.warn("atlas.fetcher.unknown_raid_hash", { id: task.id, hash: processed.hash })
        } else {
          const failure = processed.code === "incomplete" ? "incomplete" : "badFormat"
          this.schedule(task, decideRetry(failure, task.history, task.id, this.o.space.newestExisting, now, this.policy), processed.reason)
        }
        return
      }
      case "notFound":
        this.schedule(
          task,
          decideRetry("notFound", task.history, task.id, this.o.space.newestExisting, now, this.policy),
          "notFound",
          result.meta,
        )
        return
      case "blocked":
        // Withheld (floodgates): it exists, so it counts for the frontier; the replayer retries it.
        this.o.space.noteSeen(task.id)
        this.ledger(task, "blocked", "blocked", now + this.policy.ledgerRetryMs.blocked, result.meta)
        return
      case "throttled":
      case "disabled":
        this.schedule(
          task,
          decideRetry("wait", task.history, task.id, this.o.space.newestExisting, now, this.policy),
          result.kind,
          result.meta,
        )
        return
      case "transient":
        this.schedule(
          task,
          decideRetry("transient", task.history, task.id, this.o.space.newestExisting, now, this.policy),
          `transient: ${result.reason}`,
          result.meta,
        )
        return
      case "badFormat":
        this.schedule(
          task,
          decideRetry("badFormat", task.history, task.id, this.o.space.newestExisting, now, this.policy),
          `badFormat: ${result.reason}`,
          result.meta,
        )
        return
      case "fatal":
        // A key or request problem no retry fixes: stop the crawl loudly; the id stays unresolved.
        this.o.report({ type: "fatal", worker: this.o.worker, reason: result.reason })
        this.drain()
        return
    }
  }

  private schedule(
    task: Task,
    decision: RetryDecision,
    lastResult = "",
    meta?: { httpStatus: number | null; errorCode: number | null },
  ): void {
    if (decision.action === "retry") {
      const queue = decision.patient ? this.patient : this.retries
      queue.push({
        id: task.id,
        dueAt: this.now() + decision.delayMs,
        history: task.history,
        cacheBust: decision.cacheBust ? task.cacheBust + 1 : task.cacheBust,
      })
      this.o.space.addRetryBacklog(1)
      return
    }
    this.ledger(task, decision.reason, lastResult || decision.reason, decision.nextRetryAt, meta)
  }

  private ledger(
    task: Task,
    reason: MissedReason,
    lastResult: string,
    nextRetryAt: number | null,
    meta?: { httpStatus: number | null; errorCode: number | null },
  ): void {
    const h = task.history
    const item: MissedItem = {
      kind: "missed",
      id: task.id.toString(),
      reason,
      lastResult: lastResult.slice(0, 500),
      httpStatus: meta?.httpStatus ?? null,
      errorCode: meta?.errorCode ?? null,
      attempts: h.notFound + h.transient + h.badFormat + h.incomplete + h.waits + 1,
      nextRetryAt,
    }
    postWriterItem(this.o.writer, item)
    this.o.space.addWriterQueue(1)
    this.stats.missed++
  }

  private record(kind: string, outcome: string, addressIndex: number): void {
    const m = this.o.metrics
    if (!m) return
    const address = this.o.addressNames?.[addressIndex] ?? String(addressIndex)
    m.requests.inc({ result: kind, address })
    if (outcome === "throttled" || outcome === "serverThrottled" || outcome === "disabled") {
      m.throttles.inc({ kind: outcome === "throttled" ? "rate" : outcome, address })
    }
  }

  private noteNewest(id: bigint, completedAt: number | null): void {
    const newest = this.stats.newest
    if (newest === null || id > newest.id) this.stats.newest = { id, completedAt }
    else if (id === newest.id && completedAt !== null) newest.completedAt = completedAt
  }

  private resolve(id: bigint): void {
    this.resolved.push(id)
    if (this.resolved.length >= 1024) this.flushResolved()
  }

  private flushResolved(): void {
    if (this.resolved.length === 0) return
    const ids = BigInt64Array.from(this.resolved)
    this.resolved = []
    this.o.report({ type: "resolved", ids }, [ids.buffer as ArrayBuffer])
  }

  private flushStats(): void {
    this.flushResolved()
    const stats = this.stats
    stats.inFlight = this.inFlight
    stats.retryQueue = this.retryCount
    this.o.metrics?.queueDepth.set({ queue: `retry-fetcher-${this.o.worker}` }, this.retries.size)
    this.o.metrics?.queueDepth.set({ queue: `patient-fetcher-${this.o.worker}` }, this.patient.size)
    stats.latencyMs = this.latencyCount > 0 ? this.latencySum / this.latencyCount : 0
    this.latencySum = 0
    this.latencyCount = 0
    this.stats = emptyStats()
    this.o.report({ type: "stats", worker: this.o.worker, stats })
  }

  /** Idle lanes share one short timer instead of each polling on its own. */
  private waitTick(): Promise<void> {
    return new Promise((resolve) => {
      this.tickWaiters.push(resolve)
      if (this.tickTimer === null) {
        const now = this.now()
        const fast = this.retries.nextDueIn(now)
        const patient = this.patient.nextDueIn(now)
        const dueIn = fast === null ? patient : patient === null ? fast : Math.min(fast, patient)
        const wait = dueIn === null ? 20 : Math.min(20, Math.max(1, dueIn))
        this.tickTimer = setTimeout(() => this.wakeAll(), wait)
      }
    })
  }

  private wakeAll(): void {
    if (this.tickTimer !== null) clearTimeout(this.tickTimer)
    this.tickTimer = null
    const waiters = this.tickWaiters
    this.tickWaiters = []
    for (const wake of waiters) wake()
  }
}

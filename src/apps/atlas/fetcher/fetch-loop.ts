/**
 * The fetcher's scheduling loop (runs inside a fetcher thread; the thread body is thread.ts).
 *
 * Lanes (concurrent async loops) take the next task: due fast retries (404s at the head,
 * transient failures) and first tries alternate; first tries are the next id of the locally
 * claimed block, else a new block claimed from the shared cursor — unless the writer queue or
 * this fetcher's retry queues are over their bound (backpressure) or the loop is draining.
 * Patient retries (holes, incomplete refetches) take every fourth turn and any idle one, so a
 * late clump's hundreds of ids cannot eat the budget the head needs. When a hole is found, its
 * waiting neighbours (here, and through the id space in the other fetchers) become due at once:
 * Bungie publishes a late clump all at once.
 *
 * Every request goes through the rate-limited client (one limiter permit each); what an answer
 * means for its id is handle-result.ts; what the coordinator hears is fetch-stats.ts.
 */
import type { RateLimitedBungie } from "../../../lib/bungie/rate-limited.ts"
import type { Definitions } from "../../../lib/definitions.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { OutcomeKind } from "../../../lib/ratelimit/index.ts"
import type { IdSpace } from "../shared/id-space.ts"
import { type FetcherToMain, postWriterItem, type WriterItem } from "../shared/messages.ts"
import type { AtlasWorkerMetrics } from "../shared/metrics.ts"
import {
  createIdHistory,
  DEFAULT_RETRY_POLICY,
  type IdHistory,
  type RetryDecision,
  type RetryPolicyOptions,
  totalScheduleMs,
} from "../shared/retry-policy.ts"
import { FetchStats } from "./fetch-stats.ts"
import { countAttempts, createFirstTry, type FetchTask } from "./fetch-task.ts"
import { handleResult, type ResultContext } from "./handle-result.ts"
import { RetryQueue } from "./retry-queue.ts"

export interface WriterPortLike {
  postMessage(message: unknown, transfer: Bun.Transferable[]): void
}

/** The one request a fetcher makes (the rate-limited client's, or a scripted one in tests). */
export type PgcrSource = Pick<RateLimitedBungie, "attemptPgcr">

export interface FetchLoopOptions {
  worker: number
  space: IdSpace
  source: PgcrSource
  defs: Definitions
  writer: WriterPortLike
  report: (message: FetcherToMain, transfer?: Bun.Transferable[]) => void
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
  metrics?: AtlasWorkerMetrics
  /** Metric label per source-address index. */
  addressNames?: readonly string[]
}

/** Every PATIENT_TURN-th task may be a due patient retry even while first tries wait. */
const PATIENT_TURN = 4
/** A found hole promotes waiting holes this many ids either side (late clumps are 20-300 ids). */
const PROMOTE_RADIUS = 1_000n
/** A promoted id is not promoted again for this long (bounds the requests one clump can cost). */
const PROMOTE_COOLDOWN_MS = 10_000
/** Non-raid ids resolved here are acked to the coordinator at least this often. */
const RESOLVED_ACK_MS = 50
/** A task that threw (a bug) is put back this far in the future, never lost. */
const BUG_RETRY_MS = 5_000

export class FetchLoop {
  /** Head 404s, transient failures, throttle waits: latency matters. */
  private readonly retries = new RetryQueue()
  /** Holes and incomplete refetches: they yield to the head. */
  private readonly patient = new RetryQueue()
  private readonly stats: FetchStats
  private readonly results: ResultContext
  private lastHoleFilled = 0n
  private turn = 0
  private local: bigint[] = []
  private inFlight = 0
  private draining = false
  /** A bounded run's tail: ids that 404 go to the ledger instead of waiting (handOffHoles). */
  private handingOff = false
  private readonly abort = new AbortController()
  private tickWaiters: (() => void)[] = []
  private firstTryNext = false
  private tickTimer: ReturnType<typeof setTimeout> | null = null
  private readonly now: () => number

  constructor(private readonly o: FetchLoopOptions) {
    this.now = o.now ?? Date.now
    this.stats = new FetchStats(o.worker, o.report)
    this.results = {
      space: o.space,
      defs: o.defs,
      policy: o.policy ?? DEFAULT_RETRY_POLICY,
      stats: this.stats,
      log: o.log,
      ...(o.metrics === undefined ? {} : { metrics: o.metrics }),
      toWriter: (item) => this.toWriter(item),
      retry: (task, decision) => this.retry(task, decision),
      fatal: (reason) => {
        o.report({ type: "fatal", worker: o.worker, reason })
        this.drain()
      },
    }
  }

  /** Runs until drain() is called and in-flight work is done. */
  async run(): Promise<void> {
    const flushTimer = setInterval(() => this.flushStats(), this.o.statsIntervalMs ?? 250)
    // Acks go out sooner than the statistics: a kill -9 fetches again only what the last
    // checkpoint had not heard of (RESOLVED_ACK_MS + the checkpoint interval).
    const ackTimer = setInterval(() => this.stats.flushResolved(), RESOLVED_ACK_MS)
    await Promise.all(Array.from({ length: this.o.lanes }, () => this.lane()))
    clearInterval(flushTimer)
    clearInterval(ackTimer)
    this.flushStats()
    // Claimed-but-unfetched ids and pending retries stay unresolved: the checkpoint is below them.
    this.o.space.addRetryBacklog(-this.retryCount)
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

  /**
   * Ids claimed before (a restart's unresolved ids, a pending range given back): due now, as
   * retries carrying how long they have been missing, so a hole goes on with its patient schedule
   * and reaches the ledger when its time is up, not ten minutes later. Ids near the head take the
   * fast queue, holes the patient one.
   */
  resume(ids: BigInt64Array, since: Float64Array): void {
    const now = this.now()
    const newest = this.o.space.newestExisting
    const margin = (this.o.policy ?? DEFAULT_RETRY_POLICY).holeMarginIds
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const history = createIdHistory()
      history.firstNotFoundAt = Math.min(now, since[i] ?? now)
      history.hole = newest - id >= margin
      const queue = history.hole ? this.patient : this.retries
      queue.push({ id, dueAt: now, history, cacheBust: 0 })
    }
    this.o.space.addRetryBacklog(ids.length)
    this.wakeAll()
  }

  /**
   * A bounded run whose existing ids are all resolved: every id waiting only because it 404s (a
   * hole that may never be published) goes to the missed ledger now, due for the replayer when
   * its next attempt here would have been; from now on a 404 answer does the same at once.
   */
  handOffHoles(): void {
    this.handingOff = true
    const waiting = [...this.retries.take(isNotFoundWait), ...this.patient.take(isNotFoundWait)]
    this.o.space.addRetryBacklog(-waiting.length)
    for (const entry of waiting)
      this.handOff({ id: entry.id, history: entry.history, cacheBust: entry.cacheBust, first: false }, entry.dueAt)
    if (waiting.length > 0) this.o.log.info("atlas.fetcher.holes_handed_off", { worker: this.o.worker, ids: waiting.length })
  }

  private handOff(task: FetchTask, dueAt: number): void {
    const leftS = Math.max(0, Math.round((task.history.firstNotFoundAt + totalScheduleMs(this.results.policy) - this.now()) / 1000))
    this.toWriter({
      kind: "missed",
      id: task.id.toString(),
      reason: "notFound",
      lastResult: `notFound: bounded run ended with ${leftS} s of 404 patience left (next try by the replayer)`,
      httpStatus: 404,
      errorCode: 1653,
      attempts: countAttempts(task),
      nextRetryAt: dueAt,
    })
    this.stats.noteMissed()
  }

  private get retryCount(): number {
    return this.retries.size + this.patient.size
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
        this.retry(task, { action: "retry", delayMs: BUG_RETRY_MS, cacheBust: false, patient: false })
      } finally {
        this.inFlight--
      }
    }
  }

  private nextTask(): FetchTask | null {
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

  private popDue(queue: RetryQueue, now: number): FetchTask | null {
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

  private nextFirstTry(): FetchTask | null {
    if (this.local.length === 0 && this.mayClaim()) {
      const block = this.o.space.claim(this.o.blockSize)
      if (block) for (let id = block.from; id < block.to; id++) this.local.push(id)
    }
    const id = this.local.shift()
    return id === undefined ? null : createFirstTry(id)
  }

  private mayClaim(): boolean {
    return !this.draining && this.o.space.writerQueue < this.o.writerQueueBound && this.retryCount < this.o.retryQueueBound
  }

  private async runTask(task: FetchTask): Promise<void> {
    let attempted: Awaited<ReturnType<PgcrSource["attemptPgcr"]>>
    try {
      attempted = await this.o.source.attemptPgcr(task.id, task.cacheBust, { signal: this.abort.signal })
    } catch (error) {
      // Draining aborts the wait for a permit: the id stays unresolved, below the checkpoint.
      if (this.draining) return
      throw error
    }
    const { result, addressIndex, outcome } = attempted
    this.recordRequest(result.kind, outcome, addressIndex)
    this.stats.noteResult(result.kind, result.meta.latencyMs)
    if (task.first) {
      // Only a 404 past every id this crawl has seen says "we claim ahead of what exists" (the
      // head, or a dead block). A 404 below it is a hole (a late-published clump, a lost PGCR):
      // counting it would make the controller pull the ceiling back from a head it is not ahead of.
      this.stats.noteFirstTry(result.kind === "notFound" && task.id > this.o.space.crawlNewest)
    }
    const now = this.now()
    if ((result.kind === "ok" || result.kind === "blocked") && task.history.hole) {
      // A late clump is being published: fetch the rest of it now, here and in the other fetchers.
      this.o.space.noteHoleFilled(task.id)
      this.lastHoleFilled = task.id
      this.promoteAround(task.id, now)
    }
    handleResult(this.results, task, result, now)
  }

  private retry(task: FetchTask, decision: Extract<RetryDecision, { action: "retry" }>): void {
    if (this.handingOff && isNotFoundWait(task)) {
      this.handOff(task, this.now() + decision.delayMs)
      return
    }
    const queue = decision.patient ? this.patient : this.retries
    queue.push({
      id: task.id,
      dueAt: this.now() + decision.delayMs,
      history: task.history,
      cacheBust: decision.cacheBust ? task.cacheBust + 1 : task.cacheBust,
    })
    this.o.space.addRetryBacklog(1)
  }

  private toWriter(item: WriterItem): void {
    postWriterItem(this.o.writer, item)
    this.o.space.addWriterQueue(1)
  }

  private recordRequest(kind: string, outcome: OutcomeKind, addressIndex: number): void {
    const m = this.o.metrics
    if (!m) return
    const address = this.o.addressNames?.[addressIndex] ?? String(addressIndex)
    m.requests.inc({ result: kind, address })
    if (outcome === "throttled" || outcome === "serverThrottled" || outcome === "disabled") {
      m.throttles.inc({ kind: outcome === "throttled" ? "rate" : outcome, address })
    }
  }

  private flushStats(): void {
    this.o.metrics?.queueDepth.set({ queue: `retry-fetcher-${this.o.worker}` }, this.retries.size)
    this.o.metrics?.queueDepth.set({ queue: `patient-fetcher-${this.o.worker}` }, this.patient.size)
    this.stats.flush(this.inFlight, this.retryCount)
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

/** Waiting only because Bungie answers 404 (not an incomplete body, not an error): a hole. */
function isNotFoundWait(entry: { history: IdHistory }): boolean {
  const h = entry.history
  return h.notFound > 0 && h.incomplete === 0 && h.badFormat === 0
}

/**
 * The dispatcher joins the two halves of zeus's scheduling: the shared adaptive limiter
 * (src/lib/ratelimit, the same module atlas uses) decides WHEN a request may go and from WHICH
 * source address; the fair queue decides WHOSE request goes. Each permit the limiter grants is
 * handed to the request the fair queue picks.
 *
 * It runs on events: a new request, a finished exchange (a permit came back) and one timer (the
 * limiter's next-ready time, or the earliest queue deadline). While the limiter is paused because
 * Bungie said SystemDisabled, waiting is pointless: the queue is answered at once (the caller
 * relays "disabled") until Settings says Bungie is back and the pause is lifted.
 *
 * Clock and timers are injected, so tests run it in virtual time against the real limiter.
 */
import type { Limiter, Permit } from "../../lib/ratelimit/index.ts"
import type { FairQueue, QueueEntry } from "./fair-queue.ts"

export type DropReason = "full" | "disabled" | "shutdown"

export interface DispatcherHooks<T> {
  /** A permit for this entry: send it now, release the permit when the exchange is over. */
  dispatch(entry: QueueEntry<T>, permit: Permit): void
  /** The entry waited past its deadline. */
  expired(entry: QueueEntry<T>): void
  /** The entry will not be sent (queue full, Bungie disabled, zeus stopping). */
  dropped(entry: QueueEntry<T>, reason: DropReason): void
}

export interface DispatcherTimers {
  set(run: () => void, ms: number): unknown
  clear(handle: unknown): void
}

export interface DispatcherOptions<T> {
  limiter: Limiter
  queue: FairQueue<T>
  hooks: DispatcherHooks<T>
  /** Defaults to the limiter's clock. */
  now?: () => number
  timers?: DispatcherTimers
  random?: () => number
}

const CONCURRENCY_SAFETY_POLL_MS = 50

const REAL_TIMERS: DispatcherTimers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export class Dispatcher<T> {
  private readonly limiter: Limiter
  private readonly queue: FairQueue<T>
  private readonly hooks: DispatcherHooks<T>
  private readonly now: () => number
  private readonly timers: DispatcherTimers
  private readonly random: () => number
  private timer: unknown = null
  private timerDueAt = Number.POSITIVE_INFINITY
  private pumping = false
  private pumpAgain = false
  private closed = false

  constructor(o: DispatcherOptions<T>) {
    this.limiter = o.limiter
    this.queue = o.queue
    this.hooks = o.hooks
    this.now = o.now ?? (() => o.limiter.now())
    this.timers = o.timers ?? REAL_TIMERS
    this.random = o.random ?? Math.random
  }

  /** Queues a request; refused ones (queue full) and displaced ones are reported to hooks.dropped. */
  submit(client: string, item: T, deadlineAt: number): QueueEntry<T> | null {
    if (this.closed) throw new Error("dispatcher is closed")
    const result = this.queue.enqueue(client, item, this.now(), deadlineAt)
    if (result.kind === "full") {
      this.hooks.dropped(result.entry, "full")
      return null
    }
    if (result.displaced !== null) this.hooks.dropped(result.displaced, "full")
    this.pump()
    return result.entry
  }

  /** Sends a dispatched entry again (e.g. its address was throttled), ahead of its caller's other requests. */
  requeue(entry: QueueEntry<T>): void {
    if (this.closed) {
      this.hooks.dropped(entry, "shutdown")
      return
    }
    this.queue.requeue(entry)
    this.pump()
  }

  /** Withdraws a waiting request whose caller went away (nothing is sent for it). */
  cancel(entry: QueueEntry<T>): void {
    this.queue.remove(entry)
  }

  /** Hands out every permit the limiter has for waiting requests; call after a permit is released. */
  pump(): void {
    if (this.closed) return
    if (this.pumping) {
      // A hook released a permit synchronously: go round once more after this pass.
      this.pumpAgain = true
      return
    }
    this.pumping = true
    let waitMs = Number.POSITIVE_INFINITY
    try {
      do {
        this.pumpAgain = false
        waitMs = this.pumpOnce()
      } while (this.pumpAgain && !this.closed)
    } finally {
      this.pumping = false
    }
    this.scheduleWake(waitMs)
  }

  /** Stops timers and returns what still waits (the caller answers it). */
  close(): QueueEntry<T>[] {
    this.closed = true
    if (this.timer !== null) this.timers.clear(this.timer)
    this.timer = null
    return this.queue.drain()
  }

  /** One pass; returns how long until the limiter may have a permit (Infinity: nothing waits). */
  private pumpOnce(): number {
    const now = this.now()
    for (const entry of this.queue.expire(now)) this.hooks.expired(entry)
    while (this.queue.size > 0) {
      const r = this.limiter.tryAcquire()
      if (r.kind === "permit") {
        // expire() ran at this same instant, so a waiting entry exists.
        this.hooks.dispatch(this.queue.dequeue()!, r.permit)
        continue
      }
      if (r.reason === "paused" && this.limiter.snapshot().pauseReason === "disabled") {
        for (const entry of this.queue.drain()) this.hooks.dropped(entry, "disabled")
        return Number.POSITIVE_INFINITY
      }
      // Every permit in flight: the next release pumps; the timer is only a safety net then.
      // Otherwise wake when the limiter says, but at least every maxSleepMs (a resume() or a
      // pause lifted elsewhere is noticed), as its own acquire() does.
      const poll = r.reason === "concurrency" ? CONCURRENCY_SAFETY_POLL_MS : r.waitMs
      return Math.min(poll, this.limiter.options.maxSleepMs)
    }
    return Number.POSITIVE_INFINITY
  }

  private scheduleWake(limiterWaitMs: number): void {
    if (this.closed || this.queue.size === 0) return
    const now = this.now()
    const deadline = this.queue.nextDeadline()
    const deadlineWait = deadline === null ? Number.POSITIVE_INFINITY : deadline - now
    // A little jitter: the limiter's ready time is exact, a wake-up a hair later finds it ready.
    const waitMs = Math.max(0, Math.min(limiterWaitMs, deadlineWait)) + this.random()
    if (!Number.isFinite(waitMs)) return
    const dueAt = now + waitMs
    if (this.timer !== null && this.timerDueAt <= dueAt) return
    if (this.timer !== null) this.timers.clear(this.timer)
    this.timerDueAt = dueAt
    this.timer = this.timers.set(() => {
      this.timer = null
      this.timerDueAt = Number.POSITIVE_INFINITY
      this.pump()
    }, waitMs)
  }
}

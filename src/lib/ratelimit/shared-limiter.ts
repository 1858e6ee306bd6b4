/**
 * The shared adaptive limiter: one instance of state in a SharedArrayBuffer, any number of
 * attached views (one per Worker thread). The model: docs/rate-limiter.md.
 *
 *   main:    const { buffer } = createSharedLimiter({ addresses: 2 })
 *            new Worker(url, { workerData: { limiterBuffer: buffer } })
 *   worker:  const limiter = attachLimiter(workerData.limiterBuffer)
 *            const permit = await limiter.acquire(signal)
 *            const result = await fetchVia(addresses[permit.addressIndex])
 *            permit.release(outcomeFromResult(result))
 *
 * All control math lives in pure modules (ceiling-control, concurrency-control, token-bucket,
 * sliding-window); this file only moves state between them and shared memory under the lock.
 */

import { type CeilingState, decreaseCeiling, growCeiling } from "./ceiling-control.ts"
import {
  type ConcurrencyParams,
  type ConcurrencyState,
  computeConcurrencyLimit,
  decreaseConcurrency,
  updateConcurrency,
} from "./concurrency-control.ts"
import { type LimiterOptions, OPTION_KEYS, resolveLimiterOptions } from "./options.ts"
import {
  A_CEILING,
  A_DECREASES,
  A_DISABLED,
  A_LAST_DECREASE,
  A_LAST_GROWTH,
  A_LAST_REFILL,
  A_LEARNED_LIMIT,
  A_OK,
  A_PAUSE_STARTED_AT,
  A_PAUSED_UNTIL,
  A_PLATEAU_SINCE,
  A_SENT,
  A_SERVER_THROTTLED,
  A_THROTTLED,
  A_TOKENS,
  A_TRANSIENT,
  CONFIG_OFFSET,
  computeAddressOffset,
  computeLayout,
  G_CONC_ESTIMATE,
  G_CONC_LAST_DECREASE,
  G_LAST_NOW,
  G_LONG_RTT,
  G_PAUSE_STARTED_AT,
  G_PAUSED_UNTIL,
  G_SHORT_RTT,
  I_ADDRESSES,
  I_IN_FLIGHT,
  I_LOCK,
  I_MAGIC,
  I_PAUSE_REASON,
  I_ROUND_ROBIN,
  LIMITER_MAGIC,
  type LimiterLayout,
} from "./shared-layout.ts"
import { withSharedLock } from "./shared-lock.ts"
import { advanceWindow, computeWindowReadyAt, initWindow, recordWindowSend } from "./sliding-window.ts"
import { type BucketState, computeBucketReadyAt, computeBurst, refillBucket } from "./token-bucket.ts"
import type { AddressSnapshot, LimiterSnapshot, Outcome, PauseReason, Permit, TryAcquireResult } from "./types.ts"

/** Per-thread runtime hooks; not shared. Tests inject a virtual clock. */
export interface LimiterRuntime {
  /** Milliseconds on a clock every thread agrees on. */
  now?: () => number
  random?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface Limiter {
  readonly buffer: SharedArrayBuffer
  readonly options: LimiterOptions
  now(): number
  /** Non-blocking: a permit now, or how long to wait. */
  tryAcquire(): TryAcquireResult
  /** Waits (bounded sleeps with jitter) until a permit is available; rejects when aborted. */
  acquire(signal?: AbortSignal): Promise<Permit>
  /** Pause every address until `untilMs` (limiter clock); a later pause extends, never shortens. */
  pauseUntil(untilMs: number, reason: Exclude<PauseReason, "none">): void
  /** Lift the global pause (e.g. Settings says Destiny2 is enabled again). */
  resume(): void
  snapshot(): LimiterSnapshot
}

const PAUSE_REASONS: PauseReason[] = ["none", "manual", "serverThrottled", "disabled"]

/** Thread-consistent wall clock in ms: timeOrigin differs per thread, the sum does not. */
export function readSharedClock(): number {
  return performance.timeOrigin + performance.now()
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
}

/** Allocate and initialise the shared state; returns the buffer and a view for this thread. */
export function createSharedLimiter(
  options: Partial<LimiterOptions> = {},
  runtime: LimiterRuntime = {},
): { buffer: SharedArrayBuffer; limiter: Limiter } {
  const o = resolveLimiterOptions(options)
  const layout = computeLayout(o.addresses, o)
  const buffer = new SharedArrayBuffer(layout.byteLength)
  const i32 = new Int32Array(buffer)
  const f64 = new Float64Array(buffer)
  const now = (runtime.now ?? readSharedClock)()
  for (const [i, key] of OPTION_KEYS.entries()) f64[layout.config + i] = o[key]
  f64[layout.global + G_PAUSED_UNTIL] = Number.NEGATIVE_INFINITY
  f64[layout.global + G_PAUSE_STARTED_AT] = Number.NEGATIVE_INFINITY
  f64[layout.global + G_CONC_ESTIMATE] = o.initialConcurrency
  f64[layout.global + G_SHORT_RTT] = Number.NaN
  f64[layout.global + G_LONG_RTT] = Number.NaN
  f64[layout.global + G_CONC_LAST_DECREASE] = Number.NEGATIVE_INFINITY
  f64[layout.global + G_LAST_NOW] = now
  for (let a = 0; a < o.addresses; a++) {
    const base = computeAddressOffset(layout, a)
    f64[base + A_CEILING] = o.initialCeiling
    f64[base + A_LEARNED_LIMIT] = Number.NaN
    f64[base + A_LAST_DECREASE] = Number.NEGATIVE_INFINITY
    f64[base + A_LAST_GROWTH] = now
    f64[base + A_PLATEAU_SINCE] = Number.NaN
    f64[base + A_TOKENS] = computeBurst(o.initialCeiling, o.burstSeconds)
    f64[base + A_LAST_REFILL] = now
    f64[base + A_PAUSED_UNTIL] = Number.NEGATIVE_INFINITY
    f64[base + A_PAUSE_STARTED_AT] = Number.NEGATIVE_INFINITY
    initWindow(f64, base + layout.windowOffset, o, now)
  }
  Atomics.store(i32, I_ADDRESSES, o.addresses)
  // The magic is written last: attachLimiter refuses a buffer that was not fully initialised.
  Atomics.store(i32, I_MAGIC, LIMITER_MAGIC)
  return { buffer, limiter: attachLimiter(buffer, runtime) }
}

/** Attach a view to a buffer made by createSharedLimiter (in this or another thread). */
export function attachLimiter(buffer: SharedArrayBuffer, runtime: LimiterRuntime = {}): Limiter {
  const i32 = new Int32Array(buffer)
  if (Atomics.load(i32, I_MAGIC) !== LIMITER_MAGIC) throw new Error("attachLimiter: buffer was not created by createSharedLimiter")
  const f64 = new Float64Array(buffer)
  const addresses = Atomics.load(i32, I_ADDRESSES)
  const config = Object.fromEntries(OPTION_KEYS.map((key, i) => [key, f64[CONFIG_OFFSET + i]]))
  const o = resolveLimiterOptions(config as Partial<LimiterOptions>)
  const layout = computeLayout(addresses, o)
  if (layout.byteLength !== buffer.byteLength) throw new Error("attachLimiter: buffer size does not match its options")
  return new SharedLimiterView(buffer, i32, f64, o, layout, runtime)
}

class SharedLimiterView implements Limiter {
  private readonly clock: () => number
  private readonly random: () => number
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  private readonly concurrencyParams: ConcurrencyParams

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly i32: Int32Array,
    private readonly f64: Float64Array,
    readonly options: LimiterOptions,
    private readonly layout: LimiterLayout,
    runtime: LimiterRuntime,
  ) {
    this.clock = runtime.now ?? readSharedClock
    this.random = runtime.random ?? Math.random
    this.sleep = runtime.sleep ?? sleepFor
    this.concurrencyParams = options
  }

  now(): number {
    return this.clock()
  }

  tryAcquire(): TryAcquireResult {
    return withSharedLock(this.i32, I_LOCK, () => this.tryAcquireLocked())
  }

  async acquire(signal?: AbortSignal): Promise<Permit> {
    for (;;) {
      signal?.throwIfAborted()
      const r = this.tryAcquire()
      if (r.kind === "permit") return r.permit
      const base = Math.min(Math.max(r.waitMs, 0), this.options.maxSleepMs)
      // Jitter so waiters released by the same event do not all retry in the same tick.
      const jitter = this.random() * (r.reason === "paused" ? Math.min(100, base * 0.1) : 1)
      await this.sleep(base + jitter, signal)
    }
  }

  pauseUntil(untilMs: number, reason: Exclude<PauseReason, "none">): void {
    withSharedLock(this.i32, I_LOCK, () => {
      const now = this.advanceClockLocked()
      this.setPauseLocked(now, Math.min(untilMs, now + this.options.maxPauseMs), reason)
    })
  }

  resume(): void {
    withSharedLock(this.i32, I_LOCK, () => {
      this.f64[this.layout.global + G_PAUSED_UNTIL] = Number.NEGATIVE_INFINITY
      Atomics.store(this.i32, I_PAUSE_REASON, 0)
    })
  }

  snapshot(): LimiterSnapshot {
    return withSharedLock(this.i32, I_LOCK, () => {
      const now = this.advanceClockLocked()
      const g = this.layout.global
      const o = this.options
      const conc = this.readConcurrencyLocked()
      const pausedUntil = this.f64[g + G_PAUSED_UNTIL]!
      const addresses: AddressSnapshot[] = []
      for (let a = 0; a < o.addresses; a++) {
        const base = computeAddressOffset(this.layout, a)
        const sum = advanceWindow(this.f64, base + this.layout.windowOffset, o, now)
        const learned = this.f64[base + A_LEARNED_LIMIT]!
        addresses.push({
          index: a,
          ceiling: this.f64[base + A_CEILING]!,
          learnedLimit: Number.isNaN(learned) ? null : learned,
          windowRate: sum / (o.windowMs / 1000),
          pausedUntil: this.f64[base + A_PAUSED_UNTIL]!,
          sent: this.f64[base + A_SENT]!,
          ok: this.f64[base + A_OK]!,
          throttled: this.f64[base + A_THROTTLED]!,
          serverThrottled: this.f64[base + A_SERVER_THROTTLED]!,
          transient: this.f64[base + A_TRANSIENT]!,
          disabled: this.f64[base + A_DISABLED]!,
          decreases: this.f64[base + A_DECREASES]!,
        })
      }
      return {
        now,
        inFlight: Atomics.load(this.i32, I_IN_FLIGHT),
        concurrencyLimit: computeConcurrencyLimit(conc, this.concurrencyParams),
        concurrencyEstimate: conc.estimate,
        shortRttMs: conc.shortRtt,
        longRttMs: conc.longRtt,
        pausedUntil,
        pauseReason: pausedUntil > now ? (PAUSE_REASONS[Atomics.load(this.i32, I_PAUSE_REASON)] ?? "manual") : "none",
        addresses,
      }
    })
  }

  /** Clock reads are clamped monotonic across threads so window slots never move backwards. */
  private advanceClockLocked(): number {
    const cell = this.layout.global + G_LAST_NOW
    const now = Math.max(this.clock(), this.f64[cell]!)
    this.f64[cell] = now
    return now
  }

  private tryAcquireLocked(): TryAcquireResult {
    const now = this.advanceClockLocked()
    const o = this.options
    const pausedUntil = this.f64[this.layout.global + G_PAUSED_UNTIL]!
    if (pausedUntil > now) return { kind: "wait", waitMs: pausedUntil - now, reason: "paused" }
    const limit = computeConcurrencyLimit(this.readConcurrencyLocked(), this.concurrencyParams)
    if (Atomics.load(this.i32, I_IN_FLIGHT) >= limit) return { kind: "wait", waitMs: o.concurrencyPollMs, reason: "concurrency" }
    const start = Atomics.load(this.i32, I_ROUND_ROBIN) % o.addresses
    let earliest = Number.POSITIVE_INFINITY
    for (let step = 0; step < o.addresses; step++) {
      const a = (start + step) % o.addresses
      const readyAt = this.computeAddressReadyAtLocked(a, now)
      if (readyAt <= now) return { kind: "permit", permit: this.issuePermitLocked(a, now) }
      earliest = Math.min(earliest, readyAt)
    }
    return { kind: "wait", waitMs: Math.min(earliest - now, o.maxPauseMs), reason: "rate" }
  }

  private computeAddressReadyAtLocked(a: number, now: number): number {
    const o = this.options
    const base = computeAddressOffset(this.layout, a)
    const ceiling = this.f64[base + A_CEILING]!
    const win = base + this.layout.windowOffset
    advanceWindow(this.f64, win, o, now)
    const bucket: BucketState = { tokens: this.f64[base + A_TOKENS]!, lastRefillAt: this.f64[base + A_LAST_REFILL]! }
    refillBucket(bucket, ceiling, computeBurst(ceiling, o.burstSeconds), now)
    this.f64[base + A_TOKENS] = bucket.tokens
    this.f64[base + A_LAST_REFILL] = bucket.lastRefillAt
    const allowed = (ceiling * o.windowMs) / 1000
    return Math.max(
      this.f64[base + A_PAUSED_UNTIL]!,
      computeBucketReadyAt(bucket, ceiling, now),
      computeWindowReadyAt(this.f64, win, o, now, allowed),
    )
  }

  private issuePermitLocked(a: number, issuedAt: number): Permit {
    const base = computeAddressOffset(this.layout, a)
    this.f64[base + A_TOKENS]! -= 1
    recordWindowSend(this.f64, base + this.layout.windowOffset, this.options, issuedAt)
    this.f64[base + A_SENT]! += 1
    Atomics.add(this.i32, I_IN_FLIGHT, 1)
    Atomics.store(this.i32, I_ROUND_ROBIN, (a + 1) % this.options.addresses)
    let released = false
    return {
      addressIndex: a,
      issuedAt,
      release: (outcome: Outcome) => {
        if (released) return
        released = true
        withSharedLock(this.i32, I_LOCK, () => this.releaseLocked(a, issuedAt, outcome))
      },
    }
  }

  private releaseLocked(a: number, issuedAt: number, outcome: Outcome): void {
    const now = this.advanceClockLocked()
    const o = this.options
    const base = computeAddressOffset(this.layout, a)
    const inFlightBefore = Atomics.sub(this.i32, I_IN_FLIGHT, 1)
    const conc = this.readConcurrencyLocked()
    // Throttle answers come back fast without doing work: their latency says nothing about load.
    if (outcome.kind !== "throttled" && outcome.kind !== "serverThrottled" && outcome.kind !== "disabled") {
      updateConcurrency(conc, this.concurrencyParams, outcome.latencyMs, inFlightBefore)
    }
    switch (outcome.kind) {
      case "ok":
      case "notFound":
      case "blocked":
      case "badFormat": {
        this.f64[base + A_OK]! += 1
        const ceilingState = this.readCeilingLocked(base)
        const sum = advanceWindow(this.f64, base + this.layout.windowOffset, o, now)
        growCeiling(ceilingState, o, now, sum / ((ceilingState.ceiling * o.windowMs) / 1000))
        this.writeCeilingLocked(base, ceilingState)
        break
      }
      case "throttled": {
        this.f64[base + A_THROTTLED]! += 1
        const ceilingState = this.readCeilingLocked(base)
        if (decreaseCeiling(ceilingState, o, now, issuedAt)) this.f64[base + A_DECREASES]! += 1
        this.writeCeilingLocked(base, ceilingState)
        // One pause per episode: answers to requests sent before the pause began don't extend it.
        if (issuedAt >= this.f64[base + A_PAUSE_STARTED_AT]!) {
          const pauseMs = Math.min((outcome.waitMs ?? o.defaultThrottlePauseMs) * o.throttleWaitFactor, o.maxThrottlePauseMs)
          if (pauseMs > 0) {
            const jittered = pauseMs * (1 + 0.1 * this.random())
            this.f64[base + A_PAUSED_UNTIL] = Math.max(this.f64[base + A_PAUSED_UNTIL]!, now + jittered)
            this.f64[base + A_PAUSE_STARTED_AT] = now
          }
        }
        break
      }
      case "serverThrottled": {
        this.f64[base + A_SERVER_THROTTLED]! += 1
        decreaseConcurrency(conc, this.concurrencyParams, now)
        if (issuedAt >= this.f64[this.layout.global + G_PAUSE_STARTED_AT]!) {
          const ms = Math.min(outcome.waitMs ?? o.serverThrottlePauseMs, o.maxPauseMs)
          this.setPauseLocked(now, now + ms * (1 + 0.2 * this.random()), "serverThrottled")
        }
        break
      }
      case "disabled": {
        this.f64[base + A_DISABLED]! += 1
        if (issuedAt >= this.f64[this.layout.global + G_PAUSE_STARTED_AT]!) {
          const ms = Math.min(outcome.waitMs ?? o.disabledPauseMs, o.maxPauseMs)
          this.setPauseLocked(now, now + ms * (1 + 0.1 * this.random()), "disabled")
        }
        break
      }
      case "transient":
        this.f64[base + A_TRANSIENT]! += 1
        break
    }
    this.writeConcurrencyLocked(conc)
  }

  private setPauseLocked(now: number, until: number, reason: Exclude<PauseReason, "none">): void {
    const g = this.layout.global
    if (until <= this.f64[g + G_PAUSED_UNTIL]!) return
    this.f64[g + G_PAUSED_UNTIL] = until
    this.f64[g + G_PAUSE_STARTED_AT] = now
    Atomics.store(this.i32, I_PAUSE_REASON, PAUSE_REASONS.indexOf(reason))
  }

  private readCeilingLocked(base: number): CeilingState {
    return {
      ceiling: this.f64[base + A_CEILING]!,
      learnedLimit: this.f64[base + A_LEARNED_LIMIT]!,
      lastDecreaseAt: this.f64[base + A_LAST_DECREASE]!,
      lastGrowthAt: this.f64[base + A_LAST_GROWTH]!,
      plateauSince: this.f64[base + A_PLATEAU_SINCE]!,
    }
  }

  private writeCeilingLocked(base: number, s: CeilingState): void {
    this.f64[base + A_CEILING] = s.ceiling
    this.f64[base + A_LEARNED_LIMIT] = s.learnedLimit
    this.f64[base + A_LAST_DECREASE] = s.lastDecreaseAt
    this.f64[base + A_LAST_GROWTH] = s.lastGrowthAt
    this.f64[base + A_PLATEAU_SINCE] = s.plateauSince
  }

  private readConcurrencyLocked(): ConcurrencyState {
    const g = this.layout.global
    return {
      estimate: this.f64[g + G_CONC_ESTIMATE]!,
      shortRtt: this.f64[g + G_SHORT_RTT]!,
      longRtt: this.f64[g + G_LONG_RTT]!,
      lastDecreaseAt: this.f64[g + G_CONC_LAST_DECREASE]!,
    }
  }

  private writeConcurrencyLocked(s: ConcurrencyState): void {
    const g = this.layout.global
    this.f64[g + G_CONC_ESTIMATE] = s.estimate
    this.f64[g + G_SHORT_RTT] = s.shortRtt
    this.f64[g + G_LONG_RTT] = s.longRtt
    this.f64[g + G_CONC_LAST_DECREASE] = s.lastDecreaseAt
  }
}

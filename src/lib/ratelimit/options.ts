/**
 * Limiter options: one table of defaults, validated once in the creating thread and then
 * stored inside the SharedArrayBuffer so every attached thread runs with identical numbers.
 */

export interface LimiterOptions {
  /** Number of source addresses, each with its own bucket, window and ceiling. */
  addresses: number
  /** Rolling window the remote limit is averaged over (Bungie: 10 s). */
  windowMs: number
  /** Resolution of the rolling window; the enforced window is conservative by up to one slot. */
  slotMs: number
  /** Starting per-address ceiling in req/s (just under Bungie's 25). */
  initialCeiling: number
  minCeiling: number
  /**
   * A safety bound, not a per-address cap: before any throttle the ceiling grows while the window
   * is nearly full, and after one the learned limit (ceiling-control.ts) bounds it.
   */
  maxCeiling: number
  /** Token-bucket burst in seconds of the ceiling: keeps sends paced inside the window. */
  burstSeconds: number
  /** Multiplicative decrease of the ceiling on a throttle (new = old * factor). */
  decreaseFactor: number
  /** Minimum time between two ceiling decreases of one address. */
  decreaseCooldownMs: number
  /** Ceiling growth (req/s per clean second) while no limit has been learned yet. */
  freeIncreasePerSec: number
  /** Seconds to climb from a decrease back to the plateau just under the learned limit. */
  recoverSec: number
  /** The plateau sits this fraction under the learned limit. */
  plateauMargin: number
  /** Clean seconds on the plateau before probing above it. */
  probeHoldSec: number
  /** Slow probe growth above the plateau (req/s per clean second). */
  probeIncreasePerSec: number
  /** The ceiling only grows while the window is at least this full (no growth while idle). */
  growthUtilization: number
  /** Per-address pause = ThrottleSeconds * factor, clamped; 1 honours Bungie exactly. */
  throttleWaitFactor: number
  /** Pause when a throttle carries no ThrottleSeconds. */
  defaultThrottlePauseMs: number
  maxThrottlePauseMs: number
  /** Global pause after a 1672/503 without ThrottleSeconds. */
  serverThrottlePauseMs: number
  /** Global pause after SystemDisabled without a wait (Settings polling may resume earlier). */
  disabledPauseMs: number
  maxPauseMs: number
  /** Concurrency (max in flight over all addresses) follows latency (gradient control). */
  initialConcurrency: number
  minConcurrency: number
  maxConcurrency: number
  /** Latency may rise to tolerance * long-term RTT before the concurrency limit shrinks. */
  rttTolerance: number
  /** Weight of each new limit estimate (0..1). */
  concurrencySmoothing: number
  /** Multiplicative concurrency decrease on 1672/503. */
  serverThrottleConcurrencyFactor: number
  /** Longest single sleep inside acquire(); later sleeps re-check pauses and resume(). */
  maxSleepMs: number
  /** Poll interval while every permit is in flight. */
  concurrencyPollMs: number
}

export const DEFAULT_LIMITER_OPTIONS: Readonly<LimiterOptions> = Object.freeze({
  addresses: 1,
  windowMs: 10_000,
  slotMs: 10,
  initialCeiling: 24,
  minCeiling: 1,
  // No fixed 30 req/s: an address that is never throttled may send more (performance issue).
  maxCeiling: 1_000,
  burstSeconds: 0.25,
  decreaseFactor: 0.97,
  decreaseCooldownMs: 2_000,
  freeIncreasePerSec: 0.02,
  recoverSec: 30,
  plateauMargin: 0.005,
  probeHoldSec: 1800,
  probeIncreasePerSec: 0.0005,
  growthUtilization: 0.9,
  throttleWaitFactor: 1,
  defaultThrottlePauseMs: 10_000,
  maxThrottlePauseMs: 60_000,
  serverThrottlePauseMs: 1_000,
  disabledPauseMs: 60_000,
  maxPauseMs: 600_000,
  initialConcurrency: 16,
  minConcurrency: 1,
  maxConcurrency: 256,
  rttTolerance: 1.5,
  concurrencySmoothing: 0.2,
  serverThrottleConcurrencyFactor: 0.7,
  maxSleepMs: 250,
  concurrencyPollMs: 5,
})

/** Field order of the options inside the SharedArrayBuffer; append only. */
export const OPTION_KEYS = Object.keys(DEFAULT_LIMITER_OPTIONS) as (keyof LimiterOptions)[]

/** Merge with defaults and validate; errors name the key and the value. */
export function resolveLimiterOptions(partial: Partial<LimiterOptions> = {}): LimiterOptions {
  const o: LimiterOptions = { ...DEFAULT_LIMITER_OPTIONS, ...partial }
  for (const key of OPTION_KEYS) {
    const v = o[key]
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`limiter option ${key} must be a finite number >= 0, got ${String(v)}`)
    }
  }
  const requireThat = (ok: boolean, key: keyof LimiterOptions, rule: string) => {
    if (!ok) throw new RangeError(`limiter option ${key} ${rule}, got ${String(o[key])}`)
  }
  requireThat(Number.isInteger(o.addresses) && o.addresses >= 1 && o.addresses <= 1024, "addresses", "must be an integer in 1..1024")
  requireThat(o.slotMs >= 1, "slotMs", "must be >= 1")
  requireThat(o.windowMs >= o.slotMs && o.windowMs / o.slotMs <= 10_000, "windowMs", "must be >= slotMs and <= 10000 slots")
  requireThat(o.minCeiling > 0, "minCeiling", "must be > 0")
  requireThat(o.maxCeiling >= o.minCeiling, "maxCeiling", "must be >= minCeiling")
  requireThat(
    o.initialCeiling >= o.minCeiling && o.initialCeiling <= o.maxCeiling,
    "initialCeiling",
    "must be within [minCeiling, maxCeiling]",
  )
  requireThat(o.decreaseFactor > 0 && o.decreaseFactor < 1, "decreaseFactor", "must be in (0, 1)")
  requireThat(o.plateauMargin < 1 - o.decreaseFactor, "plateauMargin", "must be < 1 - decreaseFactor")
  requireThat(o.growthUtilization <= 1, "growthUtilization", "must be <= 1")
  requireThat(o.recoverSec > 0, "recoverSec", "must be > 0")
  requireThat(Number.isInteger(o.minConcurrency) && o.minConcurrency >= 1, "minConcurrency", "must be an integer >= 1")
  requireThat(o.maxConcurrency >= o.minConcurrency, "maxConcurrency", "must be >= minConcurrency")
  requireThat(
    o.initialConcurrency >= o.minConcurrency && o.initialConcurrency <= o.maxConcurrency,
    "initialConcurrency",
    "must be within [minConcurrency, maxConcurrency]",
  )
  requireThat(o.rttTolerance >= 1, "rttTolerance", "must be >= 1")
  requireThat(o.concurrencySmoothing > 0 && o.concurrencySmoothing <= 1, "concurrencySmoothing", "must be in (0, 1]")
  requireThat(
    o.serverThrottleConcurrencyFactor > 0 && o.serverThrottleConcurrencyFactor < 1,
    "serverThrottleConcurrencyFactor",
    "must be in (0, 1)",
  )
  requireThat(o.maxSleepMs >= 1, "maxSleepMs", "must be >= 1")
  requireThat(o.concurrencyPollMs >= 1, "concurrencyPollMs", "must be >= 1")
  return Object.freeze(o) as LimiterOptions
}

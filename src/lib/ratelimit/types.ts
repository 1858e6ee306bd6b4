/**
 * Public types of the shared adaptive limiter. A fetcher acquires a Permit before every HTTP
 * attempt (including nested retries) and releases it with the Outcome of that attempt.
 */

/**
 * What one HTTP attempt produced, as far as the limiter cares.
 * - ok / notFound / blocked / badFormat: Bungie answered normally (a clean sample).
 * - throttled: a per-source-address rate signal (51, 54-57, 36, 429, Cloudflare pages):
 *   shrinks that address's ceiling and pauses that address for `waitMs` (ThrottleSeconds).
 * - serverThrottled: game-server load (1672, HTTP 503): shrinks global concurrency and pauses
 *   every address briefly; it says nothing about our per-address rate.
 * - disabled: SystemDisabled (5): global pause until `waitMs` passes or `resume()` is called.
 * - transient: timeouts, 5xx, connection errors: counted, latency feeds the concurrency control.
 */
export type OutcomeKind = "ok" | "notFound" | "blocked" | "badFormat" | "throttled" | "serverThrottled" | "disabled" | "transient"

export interface Outcome {
  kind: OutcomeKind
  /** Round-trip time of the attempt in ms; <= 0 or NaN means unknown (no latency sample). */
  latencyMs: number
  /** ThrottleSeconds * 1000 when Bungie sent it; null when it did not. */
  waitMs?: number | null
}

export interface Permit {
  /** Index of the source address this attempt must use (0..addresses-1). */
  readonly addressIndex: number
  /** Limiter clock time (ms) at which the permit was issued. */
  readonly issuedAt: number
  /** Return the permit with the attempt's outcome. Idempotent: a second call is ignored. */
  release(outcome: Outcome): void
}

export type PauseReason = "none" | "manual" | "serverThrottled" | "disabled"

/** Result of a non-blocking acquire: a permit, or how long to wait before trying again. */
export type TryAcquireResult =
  | { kind: "permit"; permit: Permit }
  | { kind: "wait"; waitMs: number; reason: "paused" | "concurrency" | "rate" }

export interface AddressSnapshot {
  index: number
  /** Learned ceiling (req/s) the rolling window is held under. */
  ceiling: number
  /** Ceiling at the last throttle (the learned limit); null before the first throttle. */
  learnedLimit: number | null
  /** Requests sent in the current rolling window divided by the window length (req/s). */
  windowRate: number
  pausedUntil: number
  sent: number
  ok: number
  throttled: number
  serverThrottled: number
  transient: number
  disabled: number
  decreases: number
}

export interface LimiterSnapshot {
  now: number
  inFlight: number
  concurrencyLimit: number
  concurrencyEstimate: number
  shortRttMs: number
  longRttMs: number
  pausedUntil: number
  pauseReason: PauseReason
  addresses: AddressSnapshot[]
}

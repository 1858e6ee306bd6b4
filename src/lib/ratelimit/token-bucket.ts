/**
 * Token-bucket math (pure). In the limiter the bucket only paces sends inside the rolling
 * window (burst = a fraction of a second): without it, a full window's allowance could leave in
 * one burst and the window would then repeat that burst every windowMs.
 */

export interface BucketState {
  tokens: number
  lastRefillAt: number
}

export function refillBucket(state: BucketState, ratePerSec: number, burst: number, now: number): BucketState {
  const dt = Math.max(0, now - state.lastRefillAt)
  state.tokens = Math.min(burst, state.tokens + (dt * ratePerSec) / 1000)
  state.lastRefillAt = Math.max(state.lastRefillAt, now)
  return state
}

/** Earliest time a whole token is available (call refillBucket first). */
export function computeBucketReadyAt(state: BucketState, ratePerSec: number, now: number): number {
  if (state.tokens >= 1) return now
  if (ratePerSec <= 0) return Number.POSITIVE_INFINITY
  return now + ((1 - state.tokens) * 1000) / ratePerSec
}

/** Burst size for a rate: at least one whole token. */
export function computeBurst(ratePerSec: number, burstSeconds: number): number {
  return Math.max(1, ratePerSec * burstSeconds)
}

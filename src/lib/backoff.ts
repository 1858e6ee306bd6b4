/**
 * The one exponential backoff with jitter (Bungie retries, outbox relays, start-up waits).
 *
 * Retry n (0 = the first retry) steps to d = min(maxMs, baseMs * 2^n); the delay is a uniform
 * draw in [d * (1 - jitter), d]. Drawing below the step, never above it, keeps two promises at
 * once: retries of many callers never synchronise, and no wait is ever longer than maxMs.
 */

export interface BackoffPolicy {
  baseMs: number
  maxMs: number
  /** Share of the step that is random, in (0, 1]; default 0.5 (a delay in [d/2, d]). */
  jitter?: number
}

const DEFAULT_JITTER = 0.5
// Below this the jitter no longer spreads callers apart; "every backoff has jitter" is a rule here.
const MIN_JITTER = 0.05

/** Delay in ms before retry `retry` (0-based). `random` is uniform in [0, 1). */
export function computeBackoffMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(retry)), 30)
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent)
  const jitter = Math.min(1, Math.max(MIN_JITTER, policy.jitter ?? DEFAULT_JITTER))
  return Math.round(step * (1 - jitter + jitter * random()))
}

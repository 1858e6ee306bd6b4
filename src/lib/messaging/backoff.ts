/**
 * Bounded exponential backoff with jitter: base * 2^attempt capped at max, then a uniform draw
 * in [half, full] of that, so retries never synchronise and never wait longer than max.
 */

export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

export const DEFAULT_OUTBOX_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 }

/** Delay before retry number `attempt` (0 = first retry). */
export function computeBackoffMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, attempt), 30)
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent)
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

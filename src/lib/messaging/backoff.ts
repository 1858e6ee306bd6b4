/**
 * The outbox relays' backoff: the project's one jittered exponential backoff (src/lib/backoff.ts)
 * with the relays' bounds. Retry n waits a uniform draw in [d/2, d], d = min(max, base * 2^n).
 */
import type { BackoffPolicy } from "../backoff.ts"

export { type BackoffPolicy as BackoffOptions, computeBackoffMs } from "../backoff.ts"

export const DEFAULT_OUTBOX_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 }

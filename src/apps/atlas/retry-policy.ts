/**
 * What the crawler does with each result for one id: resolve it, ledger it, or try again later
 * (and when). Pure: the fetch loop supplies the id's history and the newest existing id.
 *
 * 404 near the head means "not published yet": retried on a short, growing, jittered schedule for
 * about ten minutes (Bungie publishes late batches minutes after creation). A 404 far behind the
 * newest existing id (deep history) is a lost PGCR: three tries, then the ledger. Throttles and
 * outages are the limiter's business (shared pause); the id just waits its turn, bounded.
 */

export interface RetryPolicyOptions {
  /** Delays (ms) between 404 attempts near the head; the last one ends the schedule. */
  notFoundScheduleMs: readonly number[]
  /** Ids this far below the newest existing id are history (older than any late batch, ~7 min at 50 ids/s): short 404 patience. */
  farBehindIds: bigint
  /** 404 attempts for history ids before the ledger. */
  farBehindAttempts: number
  /** Later refetch of an incomplete PGCR (once). */
  incompleteRefetchMs: number
  /** Attempts for transient failures / malformed bodies before the ledger. */
  transientAttempts: number
  badFormatAttempts: number
  /** Throttled / disabled / server-throttled answers: how often the id may wait its turn. */
  waitAttempts: number
  /** When a ledgered id becomes due for the replayer. */
  ledgerRetryMs: { notFound: number; blocked: number; incomplete: number; badFormat: number; transient: number }
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicyOptions> = Object.freeze({
  notFoundScheduleMs: [500, 500, 750, 1_000, 1_000, 1_500, 2_000, 3_000, 5_000, 8_000, 12_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000],
  farBehindIds: 20_000n,
  farBehindAttempts: 3,
  incompleteRefetchMs: 200_000,
  transientAttempts: 5,
  badFormatAttempts: 3,
  waitAttempts: 200,
  ledgerRetryMs: { notFound: 60 * 60_000, blocked: 10 * 60_000, incomplete: 15 * 60_000, badFormat: 30 * 60_000, transient: 15 * 60_000 },
})

/** Per-id attempt counters, kept by the fetch loop while the id is unresolved. */
export interface IdHistory {
  notFound: number
  transient: number
  badFormat: number
  incomplete: number
  waits: number
}

export function createIdHistory(): IdHistory {
  return { notFound: 0, transient: 0, badFormat: 0, incomplete: 0, waits: 0 }
}

export type RetryDecision =
  | { action: "retry"; delayMs: number; cacheBust: boolean }
  | { action: "ledger"; reason: "notFound" | "incomplete" | "badFormat" | "transient"; nextRetryAt: number }

type Failure = "notFound" | "incomplete" | "badFormat" | "transient" | "wait"

/** ±20 % jitter so retries of neighbouring ids do not march in lockstep. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + 0.4 * random()))
}

/** Updates `history` with this failure and decides what happens next. */
export function decideRetry(
  failure: Failure,
  history: IdHistory,
  id: bigint,
  newestExisting: bigint,
  now: number,
  policy: RetryPolicyOptions = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): RetryDecision {
  const ledger = (reason: "notFound" | "incomplete" | "badFormat" | "transient"): RetryDecision => ({
    action: "ledger", reason, nextRetryAt: now + policy.ledgerRetryMs[reason],
  })
  switch (failure) {
    case "notFound": {
      history.notFound++
      const farBehind = newestExisting - id >= policy.farBehindIds
      if (farBehind && history.notFound >= policy.farBehindAttempts) return ledger("notFound")
      const schedule = policy.notFoundScheduleMs
      if (history.notFound > schedule.length) return ledger("notFound")
      const step = farBehind ? Math.min(history.notFound - 1, 2) : history.notFound - 1
      return { action: "retry", delayMs: jitter(schedule[step]!, random), cacheBust: false }
    }
    case "incomplete":
      history.incomplete++
      if (history.incomplete > 1) return ledger("incomplete")
      return { action: "retry", delayMs: jitter(policy.incompleteRefetchMs, random), cacheBust: true }
    case "badFormat":
      history.badFormat++
      if (history.badFormat >= policy.badFormatAttempts) return ledger("badFormat")
      return { action: "retry", delayMs: jitter(1_000 * history.badFormat, random), cacheBust: true }
    case "transient":
      history.transient++
      if (history.transient >= policy.transientAttempts) return ledger("transient")
      return { action: "retry", delayMs: jitter(Math.min(30_000, 500 * 2 ** history.transient), random), cacheBust: true }
    case "wait":
      history.waits++
      // The limiter already pauses every request; the id only needs to go back in line.
      if (history.waits >= policy.waitAttempts) return ledger("transient")
      return { action: "retry", delayMs: jitter(Math.min(5_000, 200 * history.waits), random), cacheBust: false }
  }
}

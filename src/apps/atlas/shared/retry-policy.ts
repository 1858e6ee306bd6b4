/**
 * What the crawler does with each result for one id: resolve it, ledger it, or try again later
 * (and when). Pure: the fetch loop supplies the id's history and the newest existing id.
 *
 * 404 at the head means "not published yet": retried on a short, growing, jittered schedule
 * (Bungie publishes in batches every 0.5-2 s). A 404 with existing ids well past it is a hole:
 * a clump Bungie publishes minutes late, all at once, or an id it never publishes. Holes wait
 * patiently (the delay grows with the time the id has been missing) for the same ten minutes,
 * because the fetch loop promotes a hole's neighbours the moment one of them is found: a clump of
 * n ids is probed n times as often as one id, so it is found within seconds of publication at a
 * fraction of the fast schedule's requests. A 404 far behind the newest existing id (deep
 * history) is a lost PGCR: three tries, then the ledger. Throttles and outages are the limiter's
 * business (shared pause); the id just waits its turn, bounded.
 */

export interface RetryPolicyOptions {
  /**
   * Delays (ms) between 404 attempts at the head; the last one ends the schedule, and its sum is
   * how long any 404 (head or hole) is retried before the ledger.
   */
  notFoundScheduleMs: readonly number[]
  /** A 404 at least this many ids below the newest existing id is a hole (patient schedule). */
  holeMarginIds: bigint
  /** Patient schedule: the next delay is the time the id has been missing, within [min, max]. */
  holeMinDelayMs: number
  holeMaxDelayMs: number
  /** Ids this far below the newest existing id are history (older than any late batch, ~7 min at 50 ids/s): short 404 patience. */
  farBehindIds: bigint
  /** 404 attempts for history ids before the ledger. */
  farBehindAttempts: number
  /**
   * Delays (ms) between refetches of an incomplete PGCR (fewer entries than playerCount, missing
   * extended data: Bungie serves a first version minutes before the whole one); then the ledger.
   * Every ~20-30 s: the complete version is stored within that of appearing, at a few requests for
   * the few ids concerned.
   */
  incompleteScheduleMs: readonly number[]
  /** Attempts for transient failures / malformed bodies before the ledger. */
  transientAttempts: number
  badFormatAttempts: number
  /** Throttled / disabled / server-throttled answers: how often the id may wait its turn. */
  waitAttempts: number
  /** When a ledgered id becomes due for the replayer. */
  ledgerRetryMs: { notFound: number; blocked: number; incomplete: number; badFormat: number; transient: number }
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicyOptions> = Object.freeze({
  notFoundScheduleMs: [
    500, 500, 750, 1_000, 1_000, 1_500, 2_000, 3_000, 5_000, 8_000, 12_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000,
  ],
  holeMarginIds: 200n,
  holeMinDelayMs: 5_000,
  holeMaxDelayMs: 120_000,
  farBehindIds: 20_000n,
  farBehindAttempts: 3,
  incompleteScheduleMs: [30_000, 20_000, 20_000, 20_000, 20_000, 30_000, 30_000, 60_000, 60_000],
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
  /** When the first 404 was answered (ms); NaN before any. */
  firstNotFoundAt: number
  /** The last 404 came with existing ids well past it: a hole, retried patiently (and promotable). */
  hole: boolean
  /** Last time a found neighbour made this id due early (ms); NaN when never. */
  promotedAt: number
}

export function createIdHistory(): IdHistory {
  return {
    notFound: 0,
    transient: 0,
    badFormat: 0,
    incomplete: 0,
    waits: 0,
    firstNotFoundAt: Number.NaN,
    hole: false,
    promotedAt: Number.NaN,
  }
}

/** `patient`: the retry may yield to first tries and fast retries (holes, incomplete refetches). */
export type RetryDecision =
  | { action: "retry"; delayMs: number; cacheBust: boolean; patient: boolean }
  | { action: "ledger"; reason: "notFound" | "incomplete" | "badFormat" | "transient"; nextRetryAt: number }

export type RetryFailure = "notFound" | "incomplete" | "badFormat" | "transient" | "wait"

/** ±20 % jitter so retries of neighbouring ids do not march in lockstep. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + 0.4 * random()))
}

/** How long a 404 is retried before the ledger: the head schedule's sum (holes get the same patience). */
export function totalScheduleMs(policy: RetryPolicyOptions): number {
  return policy.notFoundScheduleMs.reduce((a, b) => a + b, 0)
}

/** Updates `history` with this failure and decides what happens next. */
export function decideRetry(
  failure: RetryFailure,
  history: IdHistory,
  id: bigint,
  newestExisting: bigint,
  now: number,
  policy: RetryPolicyOptions = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): RetryDecision {
  const ledger = (reason: "notFound" | "incomplete" | "badFormat" | "transient"): RetryDecision => ({
    action: "ledger",
    reason,
    nextRetryAt: now + policy.ledgerRetryMs[reason],
  })
  switch (failure) {
    case "notFound": {
      history.notFound++
      if (Number.isNaN(history.firstNotFoundAt)) history.firstNotFoundAt = now
      const farBehind = newestExisting - id >= policy.farBehindIds
      if (farBehind && history.notFound >= policy.farBehindAttempts) return ledger("notFound")
      const schedule = policy.notFoundScheduleMs
      if (farBehind)
        return { action: "retry", delayMs: jitter(schedule[Math.min(history.notFound - 1, 2)]!, random), cacheBust: false, patient: true }
      const missingMs = now - history.firstNotFoundAt
      history.hole = newestExisting - id >= policy.holeMarginIds
      if (history.hole) {
        if (missingMs >= totalScheduleMs(policy)) return ledger("notFound")
        const delay = Math.min(policy.holeMaxDelayMs, Math.max(policy.holeMinDelayMs, missingMs))
        return { action: "retry", delayMs: jitter(delay, random), cacheBust: false, patient: true }
      }
      if (history.notFound > schedule.length) return ledger("notFound")
      return { action: "retry", delayMs: jitter(schedule[history.notFound - 1]!, random), cacheBust: false, patient: false }
    }
    case "incomplete":
      history.incomplete++
      if (history.incomplete > policy.incompleteScheduleMs.length) return ledger("incomplete")
      return {
        action: "retry",
        delayMs: jitter(policy.incompleteScheduleMs[history.incomplete - 1]!, random),
        cacheBust: true,
        patient: true,
      }
    case "badFormat":
      history.badFormat++
      if (history.badFormat >= policy.badFormatAttempts) return ledger("badFormat")
      return { action: "retry", delayMs: jitter(1_000 * history.badFormat, random), cacheBust: true, patient: false }
    case "transient":
      history.transient++
      if (history.transient >= policy.transientAttempts) return ledger("transient")
      return { action: "retry", delayMs: jitter(Math.min(30_000, 500 * 2 ** history.transient), random), cacheBust: true, patient: false }
    case "wait":
      history.waits++
      // The limiter already pauses every request; the id only needs to go back in line.
      if (history.waits >= policy.waitAttempts) return ledger("transient")
      return { action: "retry", delayMs: jitter(Math.min(5_000, 200 * history.waits), random), cacheBust: false, patient: history.hole }
  }
}

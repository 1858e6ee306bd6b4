/**
 * When hades tries a missed id again, and when it gives up (pure, injected clock and random).
 *
 * An id Bungie answers "not found" (or malformed, or another activity) is retried with a backoff
 * that doubles per replay (15 min, 30 min, ... capped at a day, jittered) and becomes terminal
 * (`lost`) after `maxReplays` replays: never again "404 re-logged forever". Answers that say
 * nothing about the id (transient errors, throttling, maintenance, a storage failure) are retried
 * sooner and get three times the budget, so an outage does not use an id up, but still end.
 */
import { computeBackoffMs } from "../../lib/backoff.ts"

export interface ReplayPolicy {
  maxReplays: number
  baseMs: number
  maxMs: number
  /** Base delay after an answer that says nothing about the id. */
  waitBaseMs: number
  waitMaxMs: number
  /** When a withheld id handed to pgcr_blocked is due again without a broker (the relay writes it). */
  blockedRetryMs: number
}

export const DEFAULT_REPLAY_POLICY: Readonly<ReplayPolicy> = Object.freeze({
  maxReplays: 8,
  baseMs: 15 * 60_000,
  maxMs: 24 * 3_600_000,
  waitBaseMs: 5 * 60_000,
  waitMaxMs: 3_600_000,
  blockedRetryMs: 10 * 60_000,
})

/** Failure kinds that tell something about the id itself. */
const ID_FAILURES = new Set(["notFound", "badFormat", "mismatch", "fatal"])

export type ReplayDecision = { state: "pending"; nextRetryAt: Date } | { state: "lost"; nextRetryAt: null }

/** `replays` counts this replay too (1 after the first). */
export function decideReplay(
  kind: string,
  replays: number,
  now: Date,
  policy: ReplayPolicy = DEFAULT_REPLAY_POLICY,
  random: () => number = Math.random,
): ReplayDecision {
  const aboutTheId = ID_FAILURES.has(kind)
  const budget = aboutTheId ? policy.maxReplays : 3 * policy.maxReplays
  if (replays >= budget) return { state: "lost", nextRetryAt: null }
  const backoff = aboutTheId
    ? { baseMs: policy.baseMs, maxMs: policy.maxMs, jitter: 0.5 }
    : { baseMs: policy.waitBaseMs, maxMs: policy.waitMaxMs, jitter: 0.5 }
  return { state: "pending", nextRetryAt: new Date(now.getTime() + computeBackoffMs(replays - 1, backoff, random)) }
}

export interface IdRun {
  start: string
  end: string
  length: number
}

/** The longest runs of consecutive ids (inclusive ends), longest first, at most `limit`. */
export function findLargestGaps(ids: readonly bigint[], limit: number): IdRun[] {
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const runs: { start: bigint; end: bigint; length: number }[] = []
  for (const id of sorted) {
    const last = runs.at(-1)
    if (last && id === last.end + 1n) {
      last.end = id
      last.length++
    } else runs.push({ start: id, end: id, length: 1 })
  }
  return runs
    .sort((a, b) => b.length - a.length || (a.start < b.start ? -1 : 1))
    .slice(0, limit)
    .map((r) => ({ start: r.start.toString(), end: r.end.toString(), length: r.length }))
}

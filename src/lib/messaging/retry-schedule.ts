/**
 * Where a failed message goes next (pure): retry n (1-based) waits in the delay tier
 * schedule[min(n, len) - 1]; past the schedule's length it is exhausted and goes to `.dead`.
 *
 * Jitter: the message's own expiration is drawn in [75 %, 100 %] of its tier, so a burst of
 * failures does not come back as a burst. A TTL queue expires messages from its head only, so a
 * short-lived message behind a longer one waits for it: the spread is at most a quarter of the tier.
 */
import { delayQueueName } from "./topology.ts"

export const RETRY_COUNT_HEADER = "x-retry-count"

export type RetryPlan =
  | { kind: "delay"; retry: number; delayQueue: string; expirationMs: number; tierMs: number }
  | { kind: "exhausted"; retries: number }

/** The retry count a message carries (missing or unreadable = 0: a first delivery). */
export function readRetryCount(headers: Record<string, unknown> | undefined): number {
  const raw = headers?.[RETRY_COUNT_HEADER]
  const n = typeof raw === "number" ? raw : typeof raw === "bigint" ? Number(raw) : typeof raw === "string" ? Number(raw) : 0
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}

/** Plans the next retry of a message that has been retried `retryCount` times so far. */
export function planRetry(queue: string, schedule: readonly number[], retryCount: number, random: () => number = Math.random): RetryPlan {
  const retry = retryCount + 1
  if (schedule.length === 0 || retry > schedule.length) return { kind: "exhausted", retries: retryCount }
  const tierMs = schedule[Math.min(retry, schedule.length) - 1]!
  const expirationMs = Math.max(1, Math.round(tierMs * (0.75 + 0.25 * random())))
  return { kind: "delay", retry, delayQueue: delayQueueName(queue, tierMs), expirationMs, tierMs }
}

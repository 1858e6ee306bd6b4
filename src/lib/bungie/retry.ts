/**
 * Retry: the ONE retry loop for a logical Bungie call (the original nested two loops and could
 * issue 16 requests). It retries only what another request can fix right away:
 *   transient  → `retry=N` on the next request,
 *   badFormat  → `malformed_retry=N`, so Bungie's CDN cannot serve the same bad cached body again.
 * Everything else returns at once — in particular throttled and disabled, which belong to the
 * shared rate limiter (it pauses every fetcher, not just this call). When attempts run out, the
 * LAST real result (with its status, code and reason) is returned, never a blank one.
 */
import { computeBackoffMs } from "../backoff.ts"
import type { BungieMeta, BungieResult, BungieResultKind } from "./result.ts"

export interface RetryPolicy {
  /** HTTP requests per logical call, first one included. */
  maxAttempts: number
  /** Backoff before retry n (1-based) steps to d = min(maxDelayMs, baseDelayMs * 2^(n-1)), then jittered. */
  baseDelayMs: number
  maxDelayMs: number
  /** Relative jitter j: the sleep is uniform in [d(1-j), d] (src/lib/backoff.ts). */
  jitter: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 4_000, jitter: 0.25 }

export type CacheBustParam = "retry" | "malformed_retry"

export interface CacheBust {
  param: CacheBustParam
  value: number
}

export interface AttemptContext {
  /** 1-based HTTP request number within this logical call. */
  attempt: number
  /** Query parameter to add to this request; null on the first request. */
  cacheBust: CacheBust | null
}

export interface AttemptReport {
  attempt: number
  kind: BungieResultKind
  /** This request's own meta (attempts = this request's number). */
  meta: BungieMeta
  /** Whether the loop will issue another request for this result. */
  willRetry: boolean
}

export interface RetryHooks {
  /** Awaited before every HTTP request, e.g. the shared limiter's token acquire. */
  beforeAttempt?: (context: AttemptContext) => Promise<void>
  /** Called after every HTTP request (metrics). Must not throw. */
  onAttempt?: (report: AttemptReport) => void
  sleep?: (ms: number) => Promise<void>
  /** Uniform in [0, 1). */
  random?: () => number
}

const RETRIED_KINDS: ReadonlySet<BungieResultKind> = new Set(["transient", "badFormat"])

/** Runs `attempt` until it yields a non-retryable result or the policy's attempts are spent. */
export async function runWithRetry<T>(
  attempt: (context: AttemptContext) => Promise<BungieResult<T>>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<BungieResult<T>> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts))
  const sleep = hooks.sleep ?? ((ms: number) => Bun.sleep(ms))
  const random = hooks.random ?? Math.random
  let cacheBust: CacheBust | null = null
  for (let n = 1; ; n++) {
    const context: AttemptContext = { attempt: n, cacheBust }
    if (hooks.beforeAttempt !== undefined) await hooks.beforeAttempt(context)
    const result = await attempt(context)
    const willRetry = RETRIED_KINDS.has(result.kind) && n < maxAttempts
    const meta: BungieMeta = { ...result.meta, attempts: n }
    hooks.onAttempt?.({ attempt: n, kind: result.kind, meta, willRetry })
    if (!willRetry) return { ...result, meta }
    cacheBust = { param: result.kind === "badFormat" ? "malformed_retry" : "retry", value: n }
    await sleep(computeBackoffMs(n - 1, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: policy.jitter }, random))
  }
}

/** Adds a cache-busting query parameter to a URL (no-op for null). */
export function applyCacheBust(url: string, cacheBust: CacheBust | null): string {
  if (cacheBust === null) return url
  const separator = url.includes("?") ? "&" : "?"
  return `${url}${separator}${cacheBust.param}=${cacheBust.value}`
}

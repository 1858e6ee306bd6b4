/**
 * The rate-limited Bungie client every app uses: the top layer over the client (transport →
 * envelope → classification). Every HTTP request holds a permit of the shared adaptive limiter,
 * is sent from the source address the permit names, reports its outcome to the limiter, and
 * always gives the permit back (also when the request throws: a leaked permit would shrink the
 * limiter's concurrency for good).
 *
 *   attempt(): one request under one permit, no retry. Callers with their own retry policy (the
 *              crawler's fetch loop decides per id when to try again) use this.
 *   call():    a bounded number of attempts, each under its own permit, with jittered backoff
 *              between them; throttles and outages wait in the limiter (a shared pause), so the
 *              backoff here is short. Probes, queue workers and jobs use this.
 *
 * Settings are read outside the limiter on purpose: they are how a paused crawl learns that
 * Bungie is back (availability.ts), and a paused limiter hands out no permits.
 */
import type { CoreSettingsConfiguration } from "bungie-api-ts/core"
import { type BackoffPolicy, computeBackoffMs } from "../backoff.ts"
import type { Limiter, OutcomeKind } from "../ratelimit/index.ts"
import { type BungieClient, type BungieClientOptions, createBungieClient } from "./client.ts"
import { toLimiterOutcome } from "./limiter-outcome.ts"
import type { RawPgcr } from "./pgcr-body.ts"
import type { BungieResult, BungieResultKind } from "./result.ts"

/** One request on the client bound to the permit's source address. */
export type BungieRequest<T> = (client: BungieClient) => Promise<BungieResult<T>>

export interface AttemptOptions {
  /** Aborts the wait for a permit (not a request already sent). */
  signal?: AbortSignal
}

export interface CallOptions extends AttemptOptions {
  /** Attempts in all (default 6). */
  maxAttempts?: number
  /** Result kinds worth another attempt (default: transient, badFormat, throttled, disabled). */
  retryOn?: readonly BungieResultKind[]
}

export interface RateLimitedBungie {
  /** Number of source addresses (the limiter's `addresses`; 1 through zeus). */
  readonly addresses: number
  /** The local limiter; null through zeus (via-zeus.ts), which owns the addresses and their limiter. */
  readonly limiter: Limiter | null
  /** One request under one permit; the result also tells which address sent it. */
  attempt<T>(request: BungieRequest<T>, options?: AttemptOptions): Promise<AttemptResult<T>>
  /** Bounded attempts with jittered backoff; returns the last result. */
  call<T>(request: BungieRequest<T>, options?: CallOptions): Promise<BungieResult<T>>
  /** One PGCR request; `cacheBust` > 0 adds `malformed_retry=N` so a CDN cannot replay a bad body. */
  attemptPgcr(id: bigint, cacheBust: number, options?: AttemptOptions): Promise<AttemptResult<RawPgcr>>
  /** Settings, outside the limiter (one request, no permit). */
  getSettings(): Promise<BungieResult<CoreSettingsConfiguration>>
  close(): void
}

export interface AttemptResult<T> {
  result: BungieResult<T>
  addressIndex: number
  /** What the limiter was told (throttle kinds for metrics). */
  outcome: OutcomeKind
}

export interface RateLimitedBungieOptions {
  limiter: Limiter
  /** Stats host (PGCRs). */
  baseUrl: string
  /** www host (everything else); defaults to baseUrl (the simulator serves both). */
  wwwBaseUrl?: string
  apiKey: string
  timeoutMs: number
  /** One client (and limiter bucket) per address; empty = the default route, one bucket. */
  sourceAddresses: readonly string[]
  contact?: string
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export const DEFAULT_CALL_ATTEMPTS = 6
const DEFAULT_RETRY_ON: readonly BungieResultKind[] = ["transient", "badFormat", "throttled", "disabled"]
/** Between attempts of call(): short, because throttles and outages already wait in the limiter. */
const CALL_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 4_000, jitter: 0.5 }

export function createRateLimitedBungie(o: RateLimitedBungieOptions): RateLimitedBungie {
  const common: BungieClientOptions = {
    baseUrl: o.baseUrl,
    wwwBaseUrl: o.wwwBaseUrl ?? o.baseUrl,
    apiKey: o.apiKey,
    timeoutMs: o.timeoutMs,
    // One request per permit: retries are decided above this layer, each under its own permit.
    maxAttempts: 1,
    ...(o.contact === undefined ? {} : { contact: o.contact }),
  }
  const clients: BungieClient[] =
    o.sourceAddresses.length === 0
      ? [createBungieClient(common)]
      : o.sourceAddresses.map((sourceAddress) => createBungieClient({ ...common, sourceAddress }))
  return wrapClients(o.limiter, clients, o)
}

/**
 * The rate-limited layer over given clients, one per limiter address (index = address). Tests
 * pass scripted clients here to drive the real permit handling.
 */
export function wrapClients(
  limiter: Limiter,
  clients: readonly BungieClient[],
  hooks: Pick<RateLimitedBungieOptions, "sleep" | "random"> = {},
): RateLimitedBungie {
  if (limiter.options.addresses !== clients.length) {
    throw new Error(`the limiter has ${limiter.options.addresses} address buckets but ${clients.length} source addresses are configured`)
  }
  const sleep = hooks.sleep ?? ((ms: number) => Bun.sleep(ms))
  const random = hooks.random ?? Math.random

  async function attempt<T>(request: BungieRequest<T>, options: AttemptOptions = {}): Promise<AttemptResult<T>> {
    const permit = await limiter.acquire(options.signal)
    let result: BungieResult<T>
    try {
      result = await request(clients[permit.addressIndex % clients.length]!)
    } catch (error) {
      permit.release({ kind: "transient", latencyMs: Number.NaN })
      throw error
    }
    const outcome = toLimiterOutcome(result)
    permit.release(outcome)
    return { result, addressIndex: permit.addressIndex, outcome: outcome.kind }
  }

  return {
    addresses: clients.length,
    limiter,
    attempt,
    call(request, options = {}) {
      return repeatAttempts(() => attempt(request, options), options, sleep, random)
    },
    attemptPgcr(id, cacheBust, options) {
      return attempt((client) => client.getPgcr(id, cacheBust > 0 ? { malformedRetry: cacheBust } : {}), options)
    },
    getSettings() {
      return clients[0]!.getSettings()
    },
    close() {
      for (const client of clients) client.close()
    },
  }
}

/** call()'s loop, shared by every RateLimitedBungie: bounded attempts, jittered backoff between them. */
export async function repeatAttempts<T>(
  attempt: () => Promise<{ result: BungieResult<T> }>,
  options: CallOptions,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
): Promise<BungieResult<T>> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_CALL_ATTEMPTS)
  const retryOn = options.retryOn ?? DEFAULT_RETRY_ON
  for (let n = 1; ; n++) {
    const { result } = await attempt()
    if (n >= maxAttempts || !retryOn.includes(result.kind)) return result
    await sleep(computeBackoffMs(n - 1, CALL_BACKOFF, random))
  }
}

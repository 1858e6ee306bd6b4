/**
 * The rate-limited Bungie client "via zeus": the same RateLimitedBungie interface as the local
 * one (rate-limited.ts), for processes that leave the egress to zeus (src/apps/zeus) — hermes,
 * the jobs and the tools when ZEUS_URL is set, and atlas with --via-zeus.
 *
 * There is no local limiter: zeus owns the source addresses, their adaptive buckets and the
 * pauses, and shares them fairly between callers by the tag each request carries
 * (`x-raidhub-client`). Every request goes to zeus's URL with Bungie's path; zeus picks the host
 * (stats for PGCRs, www for the rest) and adds the API key, so this client sends none.
 *
 * Results are classified exactly as Bungie's (classify.ts), plus zeus's own answers: a request
 * that waited in zeus's queue past its deadline comes back as ZeusQueueTimeout, a transient
 * local timeout (call() retries it with backoff), never as Bungie throttling.
 */

import { buildUserAgent, createBungieClient } from "./client.ts"
import { toLimiterOutcome } from "./limiter-outcome.ts"
import type { AttemptOptions, BungieRequest, CallOptions, RateLimitedBungie } from "./rate-limited.ts"
import { repeatAttempts } from "./rate-limited.ts"
import { createTransport } from "./transport.ts"
import { ZEUS_CLIENT_HEADER, ZEUS_CLIENT_TAG_PATTERN, ZEUS_DEADLINE_HEADER } from "./zeus-protocol.ts"

export interface ViaZeusOptions {
  /** Zeus's URL, e.g. http://127.0.0.1:7777 (ZEUS_URL). */
  zeusUrl: string
  /** Caller tag zeus schedules by, e.g. "hermes/player_crawl" or "atlas". */
  client: string
  /** Whole exchange budget, queueing in zeus included. */
  timeoutMs: number
  /** Longest wait in zeus's queue; default two thirds of timeoutMs, leaving a third for Bungie. */
  queueDeadlineMs?: number
  /** Goes into the User-Agent (zeus sends its own to Bungie). */
  contact?: string
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export function createViaZeusBungie(o: ViaZeusOptions): RateLimitedBungie {
  if (!ZEUS_CLIENT_TAG_PATTERN.test(o.client)) {
    throw new Error(`zeus client tag must match ${ZEUS_CLIENT_TAG_PATTERN.source}, got ${JSON.stringify(o.client)}`)
  }
  const deadlineMs = Math.max(1, Math.round(o.queueDeadlineMs ?? (o.timeoutMs * 2) / 3))
  const transport = createTransport({
    apiKey: "",
    userAgent: buildUserAgent(o.contact),
    timeoutMs: o.timeoutMs,
    engine: "fetch",
    headers: { [ZEUS_CLIENT_HEADER]: o.client, [ZEUS_DEADLINE_HEADER]: String(deadlineMs) },
  })
  // One request per attempt: retries are decided in call() (and by the caller), as in the local client.
  const client = createBungieClient({
    baseUrl: o.zeusUrl,
    wwwBaseUrl: o.zeusUrl,
    apiKey: "",
    timeoutMs: o.timeoutMs,
    maxAttempts: 1,
    transport,
  })
  const sleep = o.sleep ?? ((ms: number) => Bun.sleep(ms))
  const random = o.random ?? Math.random

  async function attempt<T>(request: BungieRequest<T>, options: AttemptOptions = {}) {
    options.signal?.throwIfAborted()
    const result = await request(client)
    return { result, addressIndex: 0, outcome: toLimiterOutcome(result).kind }
  }

  return {
    addresses: 1,
    limiter: null,
    attempt,
    call<T>(request: BungieRequest<T>, options: CallOptions = {}) {
      return repeatAttempts(() => attempt(request, options), options, sleep, random)
    },
    attemptPgcr(id, cacheBust, options) {
      return attempt((c) => c.getPgcr(id, cacheBust > 0 ? { malformedRetry: cacheBust } : {}), options)
    },
    getSettings() {
      return client.getSettings()
    },
    close() {
      transport.close()
    },
  }
}

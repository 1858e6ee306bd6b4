/**
 * One HTTP attempt at one PGCR, through the Bungie client's layers (transport → envelope →
 * classification → bigint-safe ids), bound to one source address. Deliberately NO retry loop
 * here: every attempt must pass the shared limiter (one permit per request), and the crawler's
 * retry policy (retry-policy.ts) decides when an id is tried again. That removes the original's
 * nested retry layers (up to 16 requests per logical fetch) and keeps every request counted.
 */
import { classifyNetworkError, classifyResponse } from "../../lib/bungie/classify.ts"
import { decodeBody } from "../../lib/bungie/envelope.ts"
import { stringifyPgcrIds, type DecodedPgcr, type RawPgcr } from "../../lib/bungie/pgcr-body.ts"
import type { BungieResult } from "../../lib/bungie/result.ts"
import { createTransport, type Transport } from "../../lib/bungie/transport.ts"

export interface PgcrAttempterOptions {
  baseUrl: string
  apiKey: string
  userAgent: string
  timeoutMs: number
  /** One transport (and rate bucket) per address; empty = one transport on the default route. */
  sourceAddresses: readonly string[]
}

export interface PgcrAttempter {
  /** Number of address slots (the limiter's `addresses`). */
  readonly addresses: number
  /** `cacheBust` > 0 adds a query parameter so a CDN cannot serve the same bad body again. */
  attempt(id: bigint, addressIndex: number, cacheBust: number): Promise<BungieResult<RawPgcr>>
  close(): void
}

export function createPgcrAttempter(options: PgcrAttempterOptions): PgcrAttempter {
  const base = options.baseUrl.replace(/\/+$/, "")
  const common = { apiKey: options.apiKey, userAgent: options.userAgent, timeoutMs: options.timeoutMs }
  const transports: Transport[] =
    options.sourceAddresses.length === 0
      ? [createTransport(common)]
      : options.sourceAddresses.map((sourceAddress) => createTransport({ ...common, sourceAddress }))
  return {
    addresses: transports.length,
    async attempt(id, addressIndex, cacheBust) {
      const transport = transports[addressIndex % transports.length]!
      const url = `${base}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/${cacheBust > 0 ? `?retry=${cacheBust}` : ""}`
      const outcome = await transport.get(url)
      if (outcome.kind === "networkError") return classifyNetworkError(outcome)
      const body = decodeBody(outcome.headers["content-type"] ?? null, outcome.body)
      const result = classifyResponse({ status: outcome.status, retryAfter: outcome.headers["retry-after"] ?? null, body, latencyMs: outcome.latencyMs })
      if (result.kind !== "ok") return result
      stringifyPgcrIds(result.value)
      return { kind: "ok", value: { bytes: outcome.body, pgcr: result.value as DecodedPgcr }, meta: result.meta }
    },
    close() {
      for (const transport of transports) transport.close()
    },
  }
}

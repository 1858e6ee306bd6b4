/**
 * Settings (`/Platform/Settings/`) is how everyone learns that Bungie is back after maintenance,
 * so it is served outside the fair queue and the limiter (a paused limiter hands out no
 * permits; the local client does the same, see src/lib/bungie/rate-limited.ts). To keep that
 * side door from becoming a way around the limiter, answers are shared: one request to Bungie
 * at a time, and its answer serves every caller for `ttlMs`. Zeus's own availability watch
 * reads it too.
 */
import type { IncomingHttpHeaders } from "node:http"
import type { CoreSettingsConfiguration } from "bungie-api-ts/core"
import { classifyNetworkError, classifyResponse } from "../../lib/bungie/classify.ts"
import { decodeBody } from "../../lib/bungie/envelope.ts"
import type { BungieResult } from "../../lib/bungie/result.ts"
import type { TransportNetworkError } from "../../lib/bungie/transport-types.ts"
import { decodeWhole, type Egress, readBody } from "./egress.ts"

export interface BufferedAnswer {
  kind: "response"
  status: number
  headers: IncomingHttpHeaders
  /** As received (possibly compressed; see headers["content-encoding"]). */
  body: Uint8Array
  latencyMs: number
}

export interface SettingsAnswer {
  answer: BufferedAnswer | TransportNetworkError
  fromCache: boolean
}

export interface SettingsCacheOptions {
  egress: Egress
  url: string
  headers: Record<string, string>
  ttlMs: number
  now: () => number
  /** Settings answers are small; anything bigger is not Settings. */
  maxBytes?: number
}

export interface SettingsCache {
  get(): Promise<SettingsAnswer>
  /** The same answer, classified (for the availability watch). */
  getSettings(): Promise<BungieResult<CoreSettingsConfiguration>>
}

export function createSettingsCache(o: SettingsCacheOptions): SettingsCache {
  let cached: { at: number; answer: BufferedAnswer | TransportNetworkError } | null = null
  let inFlight: Promise<BufferedAnswer | TransportNetworkError> | null = null
  let nextAddress = 0

  async function fetchOnce(): Promise<BufferedAnswer | TransportNetworkError> {
    // Round-robin: Settings must not wait for (or hammer) one address that is paused.
    const address = nextAddress
    nextAddress = (nextAddress + 1) % o.egress.addressNames.length
    const outcome = await o.egress.send(address, { method: "GET", url: o.url, headers: o.headers, body: null })
    if (outcome.kind === "networkError") return outcome
    const body = await readBody(outcome.body, o.maxBytes ?? 4 * 1024 * 1024)
    const { totalMs } = await outcome.done
    if (body instanceof Error) return { kind: "networkError", code: "reset", message: body.message, latencyMs: totalMs }
    return { kind: "response", status: outcome.status, headers: outcome.headers, body, latencyMs: totalMs }
  }

  async function get(): Promise<SettingsAnswer> {
    if (cached !== null && o.now() - cached.at < o.ttlMs) return { answer: cached.answer, fromCache: true }
    if (inFlight !== null) return { answer: await inFlight, fromCache: true }
    inFlight = fetchOnce()
    try {
      const answer = await inFlight
      cached = { at: o.now(), answer }
      return { answer, fromCache: false }
    } finally {
      inFlight = null
    }
  }

  return {
    get,
    async getSettings() {
      const { answer } = await get()
      if (answer.kind === "networkError") return classifyNetworkError(answer)
      const encoding = answer.headers["content-encoding"]
      const decoded = decodeWhole(answer.body, encoding)
      const bytes = decoded instanceof Error ? answer.body : decoded
      const contentType = answer.headers["content-type"] ?? null
      const result = classifyResponse({
        status: answer.status,
        retryAfter: null,
        body: decodeBody(contentType, bytes),
        latencyMs: answer.latencyMs,
      })
      return result as BungieResult<CoreSettingsConfiguration>
    },
  }
}

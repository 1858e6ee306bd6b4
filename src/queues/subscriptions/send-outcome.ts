/**
 * What a POST to a destination came to (pure). Reasons are built from the status code, Discord's
 * numeric error code and a network error's code only: never from a URL (a Discord webhook URL
 * holds its token) or a receiver's body (which may echo our headers back), so they are safe to
 * store in destination.last_delivery_error, log, and label nothing secret.
 *
 *   sent         2xx
 *   rateLimited  429: wait retry_after (Discord's body, seconds with decimals), else the
 *                Retry-After header, else X-RateLimit-Reset-After, else 1 s
 *   permanent    a 4xx that a retry cannot fix (webhook deleted 404, bad token 401/403, 400,
 *                410, 413, 422): the delivery is given up; it still counts as a destination failure
 *   transient    5xx, 408, other statuses, network errors and timeouts: retried
 */

export type SendOutcome =
  | { kind: "sent"; status: number }
  | { kind: "rateLimited"; status: 429; retryAfterMs: number; global: boolean }
  | { kind: "permanent"; status: number; reason: string }
  | { kind: "transient"; status: number | null; reason: string }

const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413, 422])
const DEFAULT_RETRY_AFTER_MS = 1_000

export interface HeaderReader {
  get(name: string): string | null
}

export function classifyResponse(status: number, headers: HeaderReader, bodyText: string, nowMs: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: "sent", status }
  const body = parseBody(bodyText)
  if (status === 429) {
    return { kind: "rateLimited", status: 429, retryAfterMs: retryAfterMs(headers, body, nowMs), global: body?.global === true }
  }
  const code = typeof body?.code === "number" ? ` (code ${body.code})` : ""
  if (PERMANENT.has(status)) return { kind: "permanent", status, reason: `HTTP ${status}${code}` }
  return { kind: "transient", status, reason: `HTTP ${status}${code}` }
}

/** A request that got no response: only the error's name and code make the reason. */
export function classifyNetworkError(error: unknown): SendOutcome {
  const e = error as { name?: unknown; code?: unknown }
  const name = typeof e?.name === "string" ? e.name : "Error"
  const code = typeof e?.code === "string" && /^[A-Za-z_]{1,40}$/.test(e.code) ? ` ${e.code}` : ""
  return { kind: "transient", status: null, reason: `network: ${name}${code}` }
}

function parseBody(text: string): { retry_after?: unknown; global?: unknown; code?: unknown } | null {
  try {
    const parsed = JSON.parse(text)
    return parsed !== null && typeof parsed === "object" ? parsed : null
  } catch {
    return null
  }
}

function retryAfterMs(headers: HeaderReader, body: { retry_after?: unknown } | null, nowMs: number): number {
  const fromBody = Number(body?.retry_after)
  if (body?.retry_after !== undefined && Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody * 1000)
  const header = headers.get("retry-after")
  if (header !== null) {
    const seconds = Number(header)
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000)
    const date = Date.parse(header)
    if (Number.isFinite(date)) return Math.max(0, date - nowMs)
  }
  const reset = Number(headers.get("x-ratelimit-reset-after"))
  if (headers.get("x-ratelimit-reset-after") !== null && Number.isFinite(reset) && reset >= 0) return Math.ceil(reset * 1000)
  return DEFAULT_RETRY_AFTER_MS
}

/**
 * Which headers cross zeus, each way.
 *
 * To Bungie: the caller's end-to-end headers minus what identifies or configures the hop —
 * hop-by-hop headers, Host, any X-Forwarded-* / Forwarded / X-Real-IP / Via (no caller address
 * leaks), cookies, the caller's own X-API-Key and User-Agent (zeus sends its key and a
 * User-Agent with a contact), Accept-Encoding (zeus asks for compression itself) and our
 * x-raidhub-* tags.
 *
 * To the caller: status, body and what describes them — content type, cache headers, and
 * Bungie's `x-` headers; Content-Encoding and Content-Length only when the body passes through
 * undecoded. Hop-by-hop headers, cookies and server details stay behind, and so does any header
 * whose value contains the API key.
 */

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
])

const NOT_FORWARDED_UP = new Set([
  "host",
  "content-length",
  "forwarded",
  "x-real-ip",
  "via",
  "cookie",
  "x-api-key",
  "user-agent",
  "accept-encoding",
])

const FORWARDED_DOWN = new Set([
  "content-type",
  "content-language",
  "cache-control",
  "expires",
  "etag",
  "last-modified",
  "age",
  "vary",
  "retry-after",
])

/** What zeus asks Bungie for: compressed bodies, decoded for callers that cannot take them. */
export const UPSTREAM_ACCEPT_ENCODING = "gzip, deflate, br"
const DECODABLE = new Set(["gzip", "x-gzip", "deflate", "br"])

export interface UpstreamIdentity {
  apiKey: string
  userAgent: string
}

/** Headers for the request to Bungie, from the caller's (`Headers` iterates lower-cased names). */
export function buildUpstreamHeaders(inbound: Headers, identity: UpstreamIdentity): Record<string, string> {
  const named = namedInConnection(inbound.get("connection"))
  const out: Record<string, string> = {}
  inbound.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || NOT_FORWARDED_UP.has(name) || named.has(name)) return
    if (name.startsWith("x-forwarded-") || name.startsWith("x-raidhub-")) return
    out[name] = value
  })
  out["x-api-key"] = identity.apiKey
  out["user-agent"] = identity.userAgent
  out["accept-encoding"] = UPSTREAM_ACCEPT_ENCODING
  return out
}

export interface DownstreamOptions {
  /** The body is decoded on the way (the caller did not accept its encoding). */
  decoded: boolean
  apiKey: string
}

/** Headers for the answer to the caller, from Bungie's (node's lower-cased IncomingHttpHeaders shape). */
export function buildDownstreamHeaders(upstream: Record<string, string | string[] | undefined>, o: DownstreamOptions): Headers {
  const named = namedInConnection(joinValue(upstream.connection))
  const out = new Headers()
  for (const [name, raw] of Object.entries(upstream)) {
    if (raw === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue
    const keep =
      FORWARDED_DOWN.has(name) || (name.startsWith("x-") && !name.startsWith("x-zeus-")) || (!o.decoded && isEncodingHeader(name))
    if (!keep) continue
    const value = joinValue(raw)
    if (o.apiKey.length > 0 && value.includes(o.apiKey)) continue
    out.set(name, value)
  }
  return out
}

function isEncodingHeader(name: string): boolean {
  return name === "content-encoding" || name === "content-length"
}

/** Whether zeus must decode a body with `contentEncoding` for a caller that sent `acceptEncoding`. */
export function mustDecode(contentEncoding: string | undefined, acceptEncoding: string | null): boolean {
  const encoding = (contentEncoding ?? "").trim().toLowerCase()
  if (encoding === "" || encoding === "identity") return false
  if (!DECODABLE.has(encoding)) return false
  return !acceptsEncoding(acceptEncoding, encoding === "x-gzip" ? "gzip" : encoding)
}

/** `gzip, deflate;q=0.5, br;q=0` accepts gzip and deflate, not br; `*` covers the rest. */
export function acceptsEncoding(acceptEncoding: string | null, encoding: string): boolean {
  if (acceptEncoding === null) return false
  let wildcard: boolean | null = null
  for (const part of acceptEncoding.split(",")) {
    const [token = "", ...params] = part.trim().toLowerCase().split(";")
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="))
    const accepted = q === undefined || Number(q.slice(2)) > 0
    if (token.trim() === encoding) return accepted
    if (token.trim() === "*") wildcard = accepted
  }
  return wildcard === true
}

function namedInConnection(value: string | null): Set<string> {
  if (value === null) return new Set()
  return new Set(
    value
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0),
  )
}

function joinValue(value: string | string[] | undefined): string {
  if (value === undefined) return ""
  return Array.isArray(value) ? value.join(", ") : value
}

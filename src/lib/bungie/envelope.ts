/**
 * Envelope decoding: turns a response body into what Bungie meant. Bungie wraps every JSON answer in
 * `{ Response, ErrorCode, ThrottleSeconds, ErrorStatus, Message, MessageData }`; its edge (Cloudflare,
 * load balancers) answers with HTML pages instead, whose `<title>` is the only useful signal.
 */
import { decodeJson, type JsonDecodeResult } from "./json.ts"

export interface BungieEnvelope {
  errorCode: number | null
  errorStatus: string | null
  message: string | null
  messageData: Record<string, string>
  throttleSeconds: number
  /** `Response` as decoded (undefined when absent, null when Bungie sent null). */
  response: unknown
}

export type DecodedBody =
  | { kind: "envelope"; envelope: BungieEnvelope }
  /** Valid JSON without a numeric `ErrorCode`: not Bungie's envelope. */
  | { kind: "json"; value: unknown }
  | { kind: "html"; title: string | null }
  | { kind: "text"; snippet: string }
  | { kind: "empty" }
  /** Looked like JSON but did not parse (truncated, cut by a proxy, ...). */
  | { kind: "malformed"; reason: string }

export type JsonDecoder = (text: string) => JsonDecodeResult

/** HTML pages are small; a 64 KB window always holds the `<title>`. */
const TITLE_WINDOW_CHARS = 64 * 1024
const SNIPPET_CHARS = 200
const TITLE_PATTERN = /<title[^>]*>([\s\S]*?)<\/title\s*>/i

const utf8 = new TextDecoder("utf-8")

/** Decodes a body; `decode` defaults to the bigint-safe JSON decoder. */
export function decodeBody(contentType: string | null, body: Uint8Array, decode: JsonDecoder = decodeJson): DecodedBody {
  const text = utf8.decode(body)
  const start = firstNonSpace(text)
  if (start === -1) return { kind: "empty" }
  const type = (contentType ?? "").toLowerCase()
  const first = text[start]
  if (first === "{" || first === "[" || (type.includes("json") && first !== "<")) return decodeJsonBody(text, decode)
  if (first === "<" || type.includes("html")) return { kind: "html", title: extractTitle(text) }
  return { kind: "text", snippet: collapseWhitespace(text.slice(0, SNIPPET_CHARS)) }
}

function decodeJsonBody(text: string, decode: JsonDecoder): DecodedBody {
  const parsed = decode(text)
  if (!parsed.ok) return { kind: "malformed", reason: parsed.reason }
  const envelope = readEnvelope(parsed.value)
  return envelope === null ? { kind: "json", value: parsed.value } : { kind: "envelope", envelope }
}

/** Reads the envelope fields; null when the value is not an object with a numeric ErrorCode. */
export function readEnvelope(value: unknown): BungieEnvelope | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  const record = value as Record<string, unknown>
  const errorCode = record.ErrorCode
  if (typeof errorCode !== "number" || !Number.isInteger(errorCode)) return null
  const throttle = record.ThrottleSeconds
  return {
    errorCode,
    errorStatus: typeof record.ErrorStatus === "string" ? record.ErrorStatus : null,
    message: typeof record.Message === "string" ? record.Message : null,
    messageData: readStringMap(record.MessageData),
    throttleSeconds: typeof throttle === "number" && Number.isFinite(throttle) && throttle > 0 ? throttle : 0,
    response: record.Response,
  }
}

function readStringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {}
  const out: Record<string, string> = {}
  for (const [key, entry] of Object.entries(value)) out[key] = typeof entry === "string" ? entry : String(entry)
  return out
}

/** The page `<title>`, entity-decoded and whitespace-collapsed; null when the page has none. */
export function extractTitle(html: string): string | null {
  const match = TITLE_PATTERN.exec(html.slice(0, TITLE_WINDOW_CHARS))
  if (match === null || match[1] === undefined) return null
  const title = collapseWhitespace(decodeEntities(match[1]))
  return title.length === 0 ? null : title.slice(0, SNIPPET_CHARS)
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim()
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return i
  }
  return -1
}

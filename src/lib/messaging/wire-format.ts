/**
 * Message bodies as the real producers send them, decoded without ever squeezing an id through a
 * JS number:
 *
 *   text/plain        `4611686018488107374`                  (public API: player_crawl, clan_crawl)
 *   application/json  `{"instanceId":"…","membershipId":"…","characterId":"…"}`  (public API: character_fill)
 *   application/json  `{"instanceId":"17091392013"}`         (our outbox)
 *   application/json  `4611686018488107374` or `"4611…"`     (the original services: a bare number)
 *   application/json  `{"membershipId":4611686018488107374}` (ids as JSON numbers)
 *
 * A missing content type is sniffed (a body starting with `{` or `"` is JSON). JSON numbers are
 * read from their source text (JSON.parse's reviver context), so 2^53 and beyond stay exact.
 */
import type { MessageFormat } from "./queues.ts"

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string }

const MAX_INT64 = (1n << 63n) - 1n
const DECIMAL = /^\d{1,19}$/

/** Decodes an id-carrying body for a format of the queue table. */
export function decodeBody(format: MessageFormat, body: Uint8Array, contentType: string | undefined): Decoded<unknown> {
  switch (format.kind) {
    case "id":
      return decodeIdBody(body, contentType, format.field)
    case "ids":
      return decodeIdsBody(body, contentType, format.fields)
    case "json":
      return decodeJsonObject(body)
  }
}

/** One id: text/plain decimal, a bare JSON string or number, or a JSON object holding `field`. */
export function decodeIdBody(body: Uint8Array, contentType: string | undefined, field: string): Decoded<bigint> {
  const text = decodeText(body)
  if (text === null) return { ok: false, reason: "body is not UTF-8 text" }
  const trimmed = text.trim()
  if (trimmed === "") return { ok: false, reason: "empty body" }
  if (!isJson(contentType, trimmed)) return parseId(trimmed, "body")
  const parsed = parseJsonExact(trimmed)
  if (!parsed.ok) return parsed
  const value = parsed.value
  if (typeof value === "string") return parseId(value, "body")
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const raw = (value as Record<string, unknown>)[field]
    if (raw === undefined) return { ok: false, reason: `JSON object without ${field}` }
    return typeof raw === "string" ? parseId(raw, field) : { ok: false, reason: `${field} is not an id` }
  }
  return { ok: false, reason: "JSON body is neither an id nor an object" }
}

/** Several ids in one JSON object (character_fill): each a string or an integer number. */
export function decodeIdsBody(
  body: Uint8Array,
  _contentType: string | undefined,
  fields: readonly string[],
): Decoded<Record<string, bigint>> {
  const object = decodeJsonObject(body)
  if (!object.ok) return object
  const out: Record<string, bigint> = {}
  for (const field of fields) {
    const raw = object.value[field]
    if (raw === undefined) return { ok: false, reason: `JSON object without ${field}` }
    if (typeof raw !== "string") return { ok: false, reason: `${field} is not an id` }
    const id = parseId(raw, field)
    if (!id.ok) return id
    out[field] = id.value
  }
  return { ok: true, value: out }
}

/** A JSON object (numbers as their source text). */
export function decodeJsonObject(body: Uint8Array): Decoded<Record<string, unknown>> {
  const text = decodeText(body)
  if (text === null) return { ok: false, reason: "body is not UTF-8 text" }
  const parsed = parseJsonExact(text)
  if (!parsed.ok) return parsed
  const value = parsed.value
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { ok: false, reason: "JSON body is not an object" }
  return { ok: true, value: value as Record<string, unknown> }
}

/**
 * JSON.parse where every number becomes its exact source text (a string): ids never pass through
 * a JS number. Callers read the fields they expect and convert them themselves.
 */
export function parseJsonExact(text: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text, keepNumberSource as never) }
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

function keepNumberSource(_key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === "number" && context?.source !== undefined ? context.source : value
}

/** A positive 64-bit id from decimal text. */
export function parseId(text: string, what: string): Decoded<bigint> {
  const trimmed = text.trim()
  if (!DECIMAL.test(trimmed)) return { ok: false, reason: `${what} is not a decimal id: ${JSON.stringify(trimmed.slice(0, 40))}` }
  const id = BigInt(trimmed)
  if (id <= 0n || id > MAX_INT64) return { ok: false, reason: `${what} is out of the 64-bit id range: ${trimmed}` }
  return { ok: true, value: id }
}

function isJson(contentType: string | undefined, trimmed: string): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase()
  if (type === "application/json") return true
  if (type === "text/plain") return false
  return trimmed.startsWith("{") || trimmed.startsWith('"')
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

function decodeText(body: Uint8Array): string | null {
  try {
    return utf8.decode(body)
  } catch {
    return null
  }
}

/** The JSON body our producers send for an id message: `{"<field>":"<decimal>"}`. */
export function encodeIdMessage(field: string, id: bigint, extra: Record<string, string> = {}): Buffer {
  return Buffer.from(JSON.stringify({ [field]: id.toString(), ...extra }), "utf8")
}

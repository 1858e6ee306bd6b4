/**
 * PGCR body decoding with a non-raid shortcut.
 *
 * Most ids the crawler fetches are not raids, and for those processing reads only the header
 * (`period`, `activityDetails`) and three stats of each entry (`startSeconds`, `timePlayedSeconds`,
 * `activityDurationSeconds`, for the completion time behind lag and the frontier). So before any
 * full decode, a confirmed non-raid is summarised from the text: the members before `entries` are
 * parsed as one small object, each entry's three stat objects are found by key and parsed alone,
 * and the envelope's tail (`ErrorCode` …) is parsed to prove the body is whole. The summary is a
 * PGCR of the same shape with only those fields; processing gives it the same result as the full
 * body. Anything unexpected (not an envelope with `Response` first, a raid mode, a numeric
 * instance id, an error code, a cut-off tail, stats not one of each per entry) decodes the whole
 * body the bigint-safe way (json.ts), so raids and errors are exactly as before.
 *
 * What differs for a non-raid: a malformed stretch between the stats (say a broken player name)
 * is not seen, so such a body resolves as the non-raid its header says it is instead of being
 * fetched again; a cut-off body still fails, because its tail is missing.
 */
import { isJsonSpace, STOP, skipSpace, skipValue, walkObject } from "../json/scan.ts"
import { decodeJson, type JsonDecodeResult } from "./json.ts"

/** Raid mode, as in src/lib/pgcr/header.ts (RAID_MODE): mode 4, or 4 among `modes`. */
const RAID_MODE = 4

/** The per-entry stats a non-raid's processing reads (src/lib/pgcr/process.ts). */
const ENTRY_STATS = ["activityDurationSeconds", "startSeconds", "timePlayedSeconds"] as const

/** Decodes a PGCR envelope: a non-raid as its summary, anything else with `decodeJson`. */
export function decodePgcrJson(text: string): JsonDecodeResult {
  const summary = summarizeNonRaid(text)
  return summary === null ? decodeJson(text) : { ok: true, value: summary }
}

/** The envelope of a non-raid with the fields processing reads, or null to decode it whole. */
export function summarizeNonRaid(text: string): Record<string, unknown> | null {
  const response = readResponseHead(text)
  if (response === null || !isNonRaidHeader(response.head)) return null
  const tail = readSuccessTail(text, response.entriesAt)
  if (tail === null) return null
  const entries = readEntryStats(text, response.entriesAt, tail.from)
  if (entries === null) return null
  return { ...tail.members, Response: { ...response.head, entries } }
}

interface ResponseHead {
  /** Every member of `Response` before `entries`, parsed. */
  head: Record<string, unknown>
  /** Index of the `[` of `Response.entries`. */
  entriesAt: number
}

/** `{"Response":{ … "entries":[`: the members before `entries` parsed as one object. */
function readResponseHead(text: string): ResponseHead | null {
  let found: ResponseHead | null = null
  walkObject(text, skipSpace(text, 0), (key, responseAt) => {
    if (key !== "Response") return -1
    walkObject(text, responseAt, (member, valueAt) => {
      if (member !== "entries") return skipValue(text, valueAt)
      if (text.charCodeAt(valueAt) !== 0x5b) return -1
      const keyAt = text.lastIndexOf('"entries"', valueAt)
      // `{ …members…, "entries":null}`: the head's own text, closed where entries begin.
      const head = parseObject(`${text.slice(responseAt, keyAt)}"entries":null}`)
      if (head !== null) found = { head, entriesAt: valueAt }
      return STOP
    })
    return STOP
  })
  return found
}

/** A non-raid by the parsed header (mode not 4, no 4 in `modes`) with its instance id a string. */
function isNonRaidHeader(head: Record<string, unknown>): boolean {
  const details = head.activityDetails
  if (!isRecord(details)) return false
  if (typeof details.mode !== "number" || details.mode === RAID_MODE) return false
  const modes = details.modes
  if (modes !== undefined && (!Array.isArray(modes) || modes.includes(RAID_MODE))) return false
  // A number id would have passed through a double: let the bigint-safe path keep it exact.
  return typeof details.instanceId === "string"
}

/**
 * The envelope members from `"ErrorCode"` to the end, when they close the body and say success:
 * `}` (end of the member before) `, "ErrorCode": 1 … }` — a body cut anywhere has no such tail.
 */
function readSuccessTail(text: string, after: number): { members: Record<string, unknown>; from: number } | null {
  const at = text.lastIndexOf('"ErrorCode"')
  if (at <= after) return null
  let i = at - 1
  while (isJsonSpace(text.charCodeAt(i))) i--
  if (text.charCodeAt(i) !== 0x2c) return null
  const from = i
  i--
  while (isJsonSpace(text.charCodeAt(i))) i--
  if (text.charCodeAt(i) !== 0x7d) return null
  const members = parseObject(`{${text.slice(at)}`)
  if (members === null || members.ErrorCode !== 1) return null
  return { members, from }
}

/**
 * Each entry's three stats, found by key between `entries` and the tail: one `characterId` per
 * entry, one of each stat per entry, and no entry's keys reaching into the next one's. Null when
 * the counts or the order say otherwise, or a stat is not one JSON value.
 */
function readEntryStats(text: string, from: number, to: number): Array<{ values: Record<string, unknown> }> | null {
  const ids = memberValues(text, "characterId", from, to)
  if (ids.length === 0) return null
  const stats = ENTRY_STATS.map((name) => memberValues(text, name, from, to))
  if (stats.some((at) => at.length !== ids.length)) return null
  // Every stat's text in entry order, parsed at once below: one parse costs less than 3 per entry.
  const slices: string[] = []
  let previousEnd = from
  for (let k = 0; k < ids.length; k++) {
    let entryStart = ids[k]!
    let entryEnd = ids[k]!
    for (const at of stats) {
      const start = at[k]!
      const end = skipValue(text, start)
      if (end === -1) return null
      slices.push(text.slice(start, end))
      entryStart = Math.min(entryStart, start)
      entryEnd = Math.max(entryEnd, end)
    }
    if (entryStart <= previousEnd) return null
    previousEnd = entryEnd
  }
  const parsed = parseValue(`[${slices.join(",")}]`)
  // More values than slices means a slice was not one value (say `1,2`).
  if (!Array.isArray(parsed) || parsed.length !== slices.length) return null
  return ids.map((_, k) => {
    const values: Record<string, unknown> = {}
    // Processing validates each stat's shape, as it does for a whole body.
    ENTRY_STATS.forEach((name, s) => {
      values[name] = parsed[k * ENTRY_STATS.length + s]
    })
    return { values }
  })
}

/**
 * Where the values of members named `name` start in [from, to): a quoted `"name"` followed by `:`.
 * Searched by a suffix that begins with a rare character (`rId"` for `"characterId"`): JSON is full
 * of quotes, and a search led by `"` stops at each of them (measured ~3× slower per pass).
 */
function memberValues(text: string, name: keyof typeof SEARCH_ANCHORS, from: number, to: number): number[] {
  const quoted = `"${name}"`
  const anchor = SEARCH_ANCHORS[name]
  const back = quoted.length - anchor.length
  const starts: number[] = []
  for (let at = text.indexOf(anchor, from + back); at !== -1 && at < to; at = text.indexOf(anchor, at + anchor.length)) {
    if (!text.startsWith(quoted, at - back)) continue
    const colon = skipSpace(text, at + anchor.length)
    // A string value ending in the name is followed by `,` `}` or `]`, never `:`.
    if (text.charCodeAt(colon) === 0x3a) starts.push(skipSpace(text, colon + 1))
  }
  return starts
}

/** For each searched name, the suffix of `"name"` the search looks for (see memberValues). */
const SEARCH_ANCHORS = {
  characterId: 'rId"',
  activityDurationSeconds: 'DurationSeconds"',
  startSeconds: 'tSeconds"',
  timePlayedSeconds: 'PlayedSeconds"',
} as const

function parseObject(text: string): Record<string, unknown> | null {
  const value = parseValue(text)
  return isRecord(value) ? value : null
}

/** The parsed value, or undefined when the text is not one JSON value. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

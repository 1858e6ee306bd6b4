/**
 * PGCR body decoding with a non-raid shortcut.
 *
 * Most ids the crawler fetches are not raids, and for those it only reads the activity header and
 * the entries' durations, never a 64-bit number. So before the bigint-safe decode (json.ts), a
 * header scan reads `activityDetails.mode` / `.modes` from the text; when they say "not a raid",
 * the body goes straight to native `JSON.parse`, skipping the scan for unsafe literals, the quoting
 * copy and the exact fallback. The scan is only a hint: the parsed value must confirm it (mode a
 * number other than 4, no 4 in `modes`, `instanceId` a string), or the body is decoded the
 * bigint-safe way after all. A malformed body makes `JSON.parse` throw and takes the same fallback,
 * so its failure reason is exactly the one `decodeJson` gives.
 *
 * What differs for a confirmed non-raid: a 64-bit number literal (`fireteamId`) comes back as an
 * inexact JS number instead of its source text. Nothing reads it for a non-raid (processing reads
 * the header and the entries' duration stats; the raw bytes are stored only for raids).
 */
import { decodeJson, type JsonDecodeResult } from "./json.ts"

/** Raid mode, as in src/lib/pgcr/header.ts (RAID_MODE): mode 4, or 4 among `modes`. */
const RAID_MODE = 4

export interface ScannedModes {
  mode: number
  modes: number[]
}

/** Decodes a PGCR envelope; identical to `decodeJson` except for confirmed non-raids (see above). */
export function decodePgcrJson(text: string): JsonDecodeResult {
  const scanned = scanActivityModes(text)
  if (scanned !== null && !isRaidModes(scanned)) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return decodeJson(text)
    }
    if (isConfirmedNonRaid(value)) return { ok: true, value }
  }
  return decodeJson(text)
}

function isRaidModes(m: ScannedModes): boolean {
  return m.mode === RAID_MODE || m.modes.includes(RAID_MODE)
}

/** The parsed envelope's `Response.activityDetails` says non-raid, and its instance id is a string. */
function isConfirmedNonRaid(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.Response)) return false
  const details = value.Response.activityDetails
  if (!isRecord(details)) return false
  if (typeof details.mode !== "number" || details.mode === RAID_MODE) return false
  const modes = details.modes
  if (modes !== undefined && (!Array.isArray(modes) || modes.includes(RAID_MODE))) return false
  // A number id would have passed through a double: let the bigint-safe path keep it exact.
  return typeof details.instanceId === "string"
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

/**
 * Reads `mode` and `modes` from the first `"activityDetails"` object in the text, walking only that
 * object (strings and nested values skipped, string-aware). Null when the object is missing, has
 * no integer `mode`, or anything in it does not look like JSON: the caller then decodes fully.
 */
export function scanActivityModes(text: string): ScannedModes | null {
  const at = text.indexOf('"activityDetails"')
  if (at === -1) return null
  let i = skipSpace(text, at + 17)
  if (text.charCodeAt(i) !== COLON) return null
  i = skipSpace(text, i + 1)
  if (text.charCodeAt(i) !== OPEN_BRACE) return null
  i = skipSpace(text, i + 1)
  let mode: number | undefined
  let modes: number[] = []
  if (text.charCodeAt(i) === CLOSE_BRACE) return null
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return null
    const keyEnd = skipString(text, i + 1)
    if (keyEnd === -1) return null
    const key = text.slice(i + 1, keyEnd - 1)
    i = skipSpace(text, keyEnd)
    if (text.charCodeAt(i) !== COLON) return null
    i = skipSpace(text, i + 1)
    if (key === "mode") {
      const read = readInteger(text, i)
      if (read === null) return null
      mode = read.value
      i = read.end
    } else if (key === "modes") {
      const read = readIntegerArray(text, i)
      if (read === null) return null
      modes = read.values
      i = read.end
    } else {
      i = skipValue(text, i)
      if (i === -1) return null
    }
    i = skipSpace(text, i)
    const c = text.charCodeAt(i)
    if (c === CLOSE_BRACE) break
    if (c !== COMMA) return null
    i = skipSpace(text, i + 1)
  }
  return mode === undefined ? null : { mode, modes }
}

const QUOTE = 0x22
const COLON = 0x3a
const COMMA = 0x2c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const BACKSLASH = 0x5c

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
    else return i
  }
}

/** Index just past the closing quote of a string whose body starts at `i`; -1 when unterminated. */
function skipString(text: string, i: number): number {
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === BACKSLASH) i += 2
    else if (c === QUOTE) return i + 1
    else i++
  }
  return -1
}

/** A plain JSON integer (`-?digits`, not followed by a fraction or exponent) of safe size. */
function readInteger(text: string, i: number): { value: number; end: number } | null {
  let j = i
  if (text.charCodeAt(j) === 0x2d) j++
  const digitsFrom = j
  while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++
  if (j === digitsFrom || j - digitsFrom > 15) return null
  const next = text.charCodeAt(j)
  if (next === 0x2e || next === 0x65 || next === 0x45) return null
  return { value: Number(text.slice(i, j)), end: j }
}

function readIntegerArray(text: string, i: number): { values: number[]; end: number } | null {
  if (text.charCodeAt(i) !== OPEN_BRACKET) return null
  const values: number[] = []
  i = skipSpace(text, i + 1)
  if (text.charCodeAt(i) === CLOSE_BRACKET) return { values, end: i + 1 }
  for (;;) {
    const read = readInteger(text, i)
    if (read === null) return null
    values.push(read.value)
    i = skipSpace(text, read.end)
    const c = text.charCodeAt(i)
    if (c === CLOSE_BRACKET) return { values, end: i + 1 }
    if (c !== COMMA) return null
    i = skipSpace(text, i + 1)
  }
}

/** Index just past the value starting at `i` (string, object/array by bracket depth, or a scalar); -1 when cut off. */
function skipValue(text: string, i: number): number {
  const n = text.length
  const first = text.charCodeAt(i)
  if (first === QUOTE) return skipString(text, i + 1)
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        i = skipString(text, i + 1)
        if (i === -1) return -1
        continue
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return -1
  }
  let j = i
  while (j < n) {
    const c = text.charCodeAt(j)
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break
    j++
  }
  return j === i || j >= n ? -1 : j
}

/**
 * Walking JSON text without parsing it: skip a string, a value or whitespace, visit an object's
 * members. Each function returns the index just past what it read, or -1 when the text is cut off
 * or not JSON there; callers then decode the whole body the exact way. Strings, most of a PGCR,
 * are jumped over with native `indexOf`.
 *
 * Byte offsets: a latin1 string of UTF-8 bytes has one char per byte, and every structural JSON
 * character is ASCII (never part of a multi-byte sequence), so these walks give byte offsets when
 * run on `latin1(bytes)` (json-member-range.ts).
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

export function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

export function skipSpace(text: string, i: number): number {
  while (isJsonSpace(text.charCodeAt(i))) i++
  return i
}

/** `i` is at an opening quote: the index just past the closing one, or -1 when unterminated. */
export function skipString(text: string, i: number): number {
  let at = i + 1
  for (;;) {
    const quote = text.indexOf('"', at)
    if (quote < 0) return -1
    // The quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    at = quote + 1
  }
}

/** `i` is at the first character of a value (no leading space): the index just past it, or -1. */
export function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i)
  if (first === QUOTE) return skipString(text, i)
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return skipContainer(text, i)
  // A number, true, false or null runs to the next delimiter.
  const n = text.length
  let j = i
  while (j < n) {
    const c = text.charCodeAt(j)
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isJsonSpace(c)) break
    j++
  }
  return j === i || j >= n ? -1 : j
}

function skipContainer(text: string, i: number): number {
  const n = text.length
  let depth = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      i = skipString(text, i)
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

/**
 * Visits the members of the object whose `{` is at `i`, in order: `visit(key, valueStart)` returns
 * the index just past the value (it may skip it with `skipValue`), `STOP` to end the walk early,
 * or -1 when the value is not what it wants. Keys are compared as written (a key spelled with
 * escapes does not match a plain name; Bungie never escapes its ASCII keys). Returns the index
 * past the closing `}`, `STOP` when the visitor stopped, or -1 when the text is not an object there.
 */
export function walkObject(text: string, i: number, visit: (key: string, valueStart: number) => number): number {
  if (text.charCodeAt(i) !== OPEN_BRACE) return -1
  i = skipSpace(text, i + 1)
  if (text.charCodeAt(i) === CLOSE_BRACE) return i + 1
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1
    const keyEnd = skipString(text, i)
    if (keyEnd === -1) return -1
    const key = text.slice(i + 1, keyEnd - 1)
    i = skipSpace(text, keyEnd)
    if (text.charCodeAt(i) !== COLON) return -1
    const end = visit(key, skipSpace(text, i + 1))
    if (end === STOP) return STOP
    if (end === -1) return -1
    i = skipSpace(text, end)
    const c = text.charCodeAt(i)
    if (c === CLOSE_BRACE) return i + 1
    if (c !== COMMA) return -1
    i = skipSpace(text, i + 1)
  }
}

/** What a `walkObject` visitor returns to end the walk early (and what the walk then returns). */
export const STOP = -2

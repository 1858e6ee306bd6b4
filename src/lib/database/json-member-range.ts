/**
 * Finds where a top-level member's value sits in JSON bytes without parsing them: a single
 * forward scan that only tracks strings and nesting depth. Used to store the exact bytes of
 * Bungie's `Response` object out of the envelope as received (no reparse, no re-serialisation,
 * so Bungie's number literals and key order survive byte for byte).
 *
 * Keys are compared as raw bytes: a key spelled with escapes ("\u0052esponse") does not match.
 * Bungie never escapes plain ASCII keys, and a miss only means the bytes are kept whole.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COLON = 0x3a
const COMMA = 0x2c

export interface ByteRange {
  start: number
  end: number
}

function isWhitespace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}

function skipWhitespace(bytes: Uint8Array, i: number): number {
  while (isWhitespace(bytes[i])) i++
  return i
}

/** `i` is at an opening quote; returns the index after the closing one, or -1 if unterminated. */
function skipString(bytes: Uint8Array, i: number): number {
  let at = i + 1
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at)
    if (quote < 0) return -1
    // The quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    at = quote + 1
  }
}

/** `i` is at `{` or `[`; returns the index after the matching close, or -1. */
function skipContainer(bytes: Uint8Array, i: number): number {
  let depth = 0
  let at = i
  while (at < bytes.length) {
    const b = bytes[at]!
    if (b === QUOTE) {
      // Strings are most of a PGCR: jump over each with a native indexOf.
      at = skipString(bytes, at)
      if (at < 0) return -1
      continue
    }
    if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++
    else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--
      if (depth === 0) return at + 1
    }
    at++
  }
  return -1
}

/** Skips one value starting at `i` (no leading whitespace); returns the index after it, or -1. */
function skipValue(bytes: Uint8Array, i: number): number {
  const b = bytes[i]
  if (b === undefined) return -1
  if (b === QUOTE) return skipString(bytes, i)
  if (b === OPEN_OBJECT || b === OPEN_ARRAY) return skipContainer(bytes, i)
  // A number, true, false or null: runs to the next delimiter.
  let at = i
  while (at < bytes.length) {
    const c = bytes[at]
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isWhitespace(c)) break
    at++
  }
  return at > i ? at : -1
}

function keyEquals(bytes: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
  if (end - start !== key.length) return false
  for (let k = 0; k < key.length; k++) if (bytes[start + k] !== key[k]) return false
  return true
}

/**
 * The byte range of the value of top-level member `key` when `bytes` hold a JSON object that has
 * it, else null (not an object, no such member, or malformed before it was found).
 */
export function findTopLevelMember(bytes: Uint8Array, key: string): ByteRange | null {
  const wanted = new TextEncoder().encode(key)
  let i = skipWhitespace(bytes, 0)
  if (bytes[i] !== OPEN_OBJECT) return null
  i++
  for (;;) {
    i = skipWhitespace(bytes, i)
    if (bytes[i] !== QUOTE) return null
    const keyEnd = skipString(bytes, i)
    if (keyEnd < 0) return null
    const matched = keyEquals(bytes, i + 1, keyEnd - 1, wanted)
    i = skipWhitespace(bytes, keyEnd)
    if (bytes[i] !== COLON) return null
    const start = skipWhitespace(bytes, i + 1)
    const end = skipValue(bytes, start)
    if (end < 0) return null
    if (matched) return { start, end }
    i = skipWhitespace(bytes, end)
    if (bytes[i] === COMMA) i++
    else return null
  }
}

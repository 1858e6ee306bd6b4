/**
 * bigint-safe JSON decoding for Bungie bodies.
 *
 * Bungie sends 64-bit ids as strings, except `fireteamId`, which arrives as an over-precise double
 * (`-4.1464340033305185E+18`, or `6607053075707733000` after a JavaScript round trip). Plain
 * `JSON.parse` would squeeze such literals through a JS number. This decoder yields every number
 * literal whose magnitude is >= 2^53 as its exact source text (a string), and everything else exactly
 * as `JSON.parse` would.
 *
 * Speed: the fast path is one native regex pass that quotes the (rare) big literals in value
 * position, then native `JSON.parse`. A regex cannot know whether a match sits inside a string
 * (a display name could contain `: 12345678901234567`), but quoting inside a string always breaks
 * the JSON (the inserted quote closes the string and a digit follows), so a false positive can
 * never parse into a wrong value: it raises a SyntaxError and we re-do the job with the exact,
 * string-aware scanner below.
 */

export type JsonDecodeResult = { ok: true; value: unknown } | { ok: false; reason: string }

const TWO_POW_53 = 2 ** 53

/**
 * A number literal right after `:`, `[` or `,` (plus whitespace) that has >= 16 integer digits or an
 * exponent: the only literals that can reach 2^53. Group 1 is the prefix, group 2 the literal.
 */
const BIG_LITERAL_CANDIDATE =
  /([:[,][ \t\r\n]*)(-?(?:\d{16,}(?:\.\d+)?(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?[eE][+-]?\d+))/g

/** Cheap pre-check so bodies without any candidate skip the replace pass entirely. */
const HAS_CANDIDATE = /\d{16}|\d[eE][+-]?\d/

/** True when a JSON number literal denotes a magnitude a JS number cannot hold exactly. */
export function isUnsafeNumberLiteral(literal: string): boolean {
  const magnitude = Math.abs(Number(literal))
  return magnitude >= TWO_POW_53
}

function quoteCandidate(match: string, prefix: string, literal: string): string {
  return isUnsafeNumberLiteral(literal) ? `${prefix}"${literal}"` : match
}

/** Decodes JSON text; literals >= 2^53 in magnitude come back as their source text. */
export function decodeJson(text: string): JsonDecodeResult {
  if (!HAS_CANDIDATE.test(text)) return parseOrReason(text, text)
  const quoted = text.replace(BIG_LITERAL_CANDIDATE, quoteCandidate)
  if (quoted === text) return parseOrReason(text, text)
  try {
    return { ok: true, value: JSON.parse(quoted) }
  } catch {
    // A candidate sat inside a string (or the text is malformed): fall back to the exact scanner.
    return parseOrReason(quoteUnsafeLiteralsExactly(text), text)
  }
}

/** Decodes UTF-8 bytes (a response body) with `decodeJson`. */
export function decodeJsonBytes(bytes: Uint8Array): JsonDecodeResult {
  return decodeJson(utf8.decode(bytes))
}

const utf8 = new TextDecoder("utf-8")

function parseOrReason(candidate: string, original: string): JsonDecodeResult {
  try {
    return { ok: true, value: JSON.parse(candidate) }
  } catch (error) {
    return { ok: false, reason: describeParseFailure(original, error) }
  }
}

function describeParseFailure(original: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const prefix = original.trim().length === 0 ? "empty body" : isUnterminated(original) ? "truncated JSON" : "malformed JSON"
  return `${prefix} (${original.length} chars): ${message}`
}

/** True when the text ends inside a string or with an unclosed object/array: a cut-off body. */
function isUnterminated(text: string): boolean {
  let depth = 0
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      const end = skipString(text, i + 1)
      if (end >= text.length && text.charCodeAt(text.length - 1) !== 0x22) return true
      i = end
      continue
    }
    if (c === 0x7b || c === 0x5b) depth++
    else if (c === 0x7d || c === 0x5d) depth--
    i++
  }
  return depth > 0
}

/**
 * String-aware single pass: copies `text`, quoting number literals outside strings whose magnitude
 * is >= 2^53. Slower than the regex path; used only when that path cannot be trusted.
 */
export function quoteUnsafeLiteralsExactly(text: string): string {
  let out = ""
  let copiedUpTo = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      i = skipString(text, i + 1)
      continue
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const end = scanNumberEnd(text, i)
      const literal = text.slice(i, end)
      if (isUnsafeNumberLiteral(literal)) {
        out += text.slice(copiedUpTo, i) + `"${literal}"`
        copiedUpTo = end
      }
      i = end
      continue
    }
    i++
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo)
}

/** Returns the index just past the closing quote of a string whose body starts at `i`. */
function skipString(text: string, i: number): number {
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x5c /* \ */) i += 2
    else if (c === 0x22) return i + 1
    else i++
  }
  return n
}

function scanNumberEnd(text: string, i: number): number {
  const n = text.length
  let j = i + 1
  while (j < n) {
    const c = text.charCodeAt(j)
    const isNumberChar =
      (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
    if (!isNumberChar) break
    j++
  }
  return j
}

/**
 * Converts an integer-valued JSON number literal (plain or exponent form, e.g. "-4.1464340033305185E+18")
 * to a bigint exactly, by decimal string arithmetic. Returns null for non-integers and non-numbers.
 */
export function parseIntegerLiteral(literal: string): bigint | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal.trim())
  if (match === null) return null
  const [, sign = "", intPart = "", fracPart = "", expPart = "0"] = match
  const exponent = Number(expPart)
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return null
  let digits = intPart + fracPart
  let scale = exponent - fracPart.length
  if (scale < 0) {
    const dropped = digits.slice(digits.length + scale)
    if (/[1-9]/.test(dropped)) return null
    digits = digits.slice(0, digits.length + scale) || "0"
    scale = 0
  }
  const value = BigInt(digits + "0".repeat(scale))
  return sign === "-" ? -value : value
}

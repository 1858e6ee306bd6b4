/**
 * bigint-safe JSON decoding for Bungie bodies.
 *
 * Bungie sends 64-bit ids as strings, except `fireteamId`, which arrives as an over-precise double
 * (`-4.1464340033305185E+18`, or `6607053075707733000` after a JavaScript round trip). Plain
 * `JSON.parse` would squeeze such literals through a JS number. This decoder yields every number
 * literal whose magnitude is >= 2^53 as its exact source text (a string), and everything else exactly
 * as `JSON.parse` would.
 *
 * Speed (bench/json-decode.ts): the fast path finds candidates with two native searches — runs of
 * 16+ digits (`/\d{16}/g`, which JSC skips through quickly) and `E+`/`e+` (indexOf) — checks each
 * candidate's context in JS (a number literal sits right after `:`, `[` or `,`), quotes the unsafe
 * ones and hands the text to native `JSON.parse`. Every literal >= 2^53 has either 16+ integer
 * digits or a positive exponent, so none is missed; the one form not covered is an exponent without
 * a sign (`4.6E18`, a Java-ism), which .NET (Bungie), JS, Go and Python never print.
 *
 * A candidate inside a string (a display name like `x: 12345678901234567890`) may pass the context
 * check, but quoting inside a string always breaks the JSON (the inserted quote closes the string
 * and a digit or `-` follows, which JSON never allows), so a false positive can never parse into a
 * wrong value: it raises a SyntaxError and the exact, string-aware scanner below does the job.
 */

export type JsonDecodeResult = { ok: true; value: unknown } | { ok: false; reason: string }

const TWO_POW_53 = 2 ** 53
const LONG_DIGIT_RUN = /\d{16}/g
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** True when a JSON number literal denotes a magnitude a JS number cannot hold exactly. */
export function isUnsafeNumberLiteral(literal: string): boolean {
  const magnitude = Math.abs(Number(literal))
  return magnitude >= TWO_POW_53
}

/** Decodes JSON text; literals >= 2^53 in magnitude come back as their source text. */
export function decodeJson(text: string): JsonDecodeResult {
  const spans = findUnsafeLiteralSpans(text)
  if (spans.length === 0) return parseOrReason(text, text)
  try {
    return { ok: true, value: JSON.parse(quoteSpans(text, spans)) }
  } catch {
    // A candidate sat inside a string (or the text is malformed): fall back to the exact scanner.
    return parseOrReason(quoteUnsafeLiteralsExactly(text), text)
  }
}

/**
 * Start/end offsets (flattened pairs, ascending) of unsafe number literals in value position,
 * string state unknown (see the file comment for why that is safe).
 */
function findUnsafeLiteralSpans(text: string): number[] {
  // Digit runs: most are ids inside strings (`"4611686018..."`), rejected by their opening quote
  // without further work. `test` rather than `exec`: no match arrays to allocate.
  const runStarts: number[] = []
  LONG_DIGIT_RUN.lastIndex = 0
  while (LONG_DIGIT_RUN.test(text)) {
    const start = LONG_DIGIT_RUN.lastIndex - 16
    if (text.charCodeAt(start - 1) !== 0x22 /* " */) runStarts.push(start)
  }
  const exponentStarts = findExponentMarkers(text)
  if (runStarts.length === 0 && exponentStarts.length === 0) return []
  // Both lists are ascending: merge instead of sorting.
  const spans: number[] = []
  let lastStart = -1
  let r = 0
  let e = 0
  while (r < runStarts.length || e < exponentStarts.length) {
    const takeRun = e >= exponentStarts.length || (r < runStarts.length && runStarts[r]! < exponentStarts[e]!)
    const hit = takeRun ? runStarts[r++]! : exponentStarts[e++]!
    const start = scanLiteralStart(text, hit)
    if (start === lastStart) continue
    lastStart = start
    if (!isValuePosition(text, start)) continue
    const end = scanNumberEnd(text, start)
    const literal = text.slice(start, end)
    if (JSON_NUMBER.test(literal) && isUnsafeNumberLiteral(literal)) spans.push(start, end)
  }
  return spans
}

/** Ascending offsets of `E+` and `e+`. */
function findExponentMarkers(text: string): number[] {
  let upper = text.indexOf("E+")
  let lower = text.indexOf("e+")
  if (upper === -1 && lower === -1) return []
  const out: number[] = []
  while (upper !== -1 || lower !== -1) {
    if (lower === -1 || (upper !== -1 && upper < lower)) {
      out.push(upper)
      upper = text.indexOf("E+", upper + 2)
    } else {
      out.push(lower)
      lower = text.indexOf("e+", lower + 2)
    }
  }
  return out
}

function quoteSpans(text: string, spans: number[]): string {
  let out = ""
  let copied = 0
  for (let i = 0; i < spans.length; i += 2) {
    const start = spans[i]!
    const end = spans[i + 1]!
    out += `${text.slice(copied, start)}"${text.slice(start, end)}"`
    copied = end
  }
  return out + text.slice(copied)
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
}

function scanLiteralStart(text: string, i: number): number {
  while (i > 0 && isNumberChar(text.charCodeAt(i - 1))) i--
  return i
}

/** A JSON value starts after `:`, `,` or `[` (whitespace allowed in between). */
function isValuePosition(text: string, start: number): boolean {
  let i = start - 1
  while (i >= 0) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i--
    else return c === 0x3a || c === 0x2c || c === 0x5b
  }
  return false
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
        out += `${text.slice(copiedUpTo, i)}"${literal}"`
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
  while (j < n && isNumberChar(text.charCodeAt(j))) j++
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

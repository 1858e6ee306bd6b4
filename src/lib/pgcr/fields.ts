/**
 * Typed reads from an untrusted, already-decoded PGCR. Every reader names the field path in its
 * failure, so a bad report yields a reason like
 * `entries[3].values.kills.basic.value: expected a finite number, got string "NaN"`.
 *
 * Failures are thrown as `PgcrFormatError` and caught once in `processPgcr`, which turns them into
 * a `badFormat` result: the readers stay one-liners and no bad input escapes as an exception.
 *
 * JSON `null` is treated exactly like an absent key (Bungie omits rather than nulls, but other
 * encoders do not), then the field's required/optional rule applies.
 */

/** Machine-readable class of a bad PGCR; the crawler decides retries from it. */
export type BadFormatCode =
  /** Probably fetched too early (fewer entries than playerCount, missing extended data or flags): refetch later. */
  | "incomplete"
  /** Structurally wrong or impossible values: a refetch is unlikely to help. */
  | "malformed"
  /** Not a Bungie API PGCR at all (e.g. a D2Asun dataset record). */
  | "notApiFormat"
  /** A bug in processing, never expected: reported instead of thrown so a crawler keeps running. */
  | "internalError"

export class PgcrFormatError extends Error {
  constructor(
    readonly code: BadFormatCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`)
  }
}

export type JsonObject = Record<string, unknown>

/** Largest value a Postgres `integer` column (every stat column) can hold. */
export const INT32_MAX = 2_147_483_647
export const INT32_MIN = -2_147_483_648
export const UINT32_MAX = 4_294_967_295
/** Ids are signed 64-bit in Bungie's API and in our bigint columns. */
const INT64_MAX = 9_223_372_036_854_775_807n

export function fail(path: string, problem: string, code: BadFormatCode = "malformed"): never {
  throw new PgcrFormatError(code, `${path}: ${problem}`)
}

/** Short description of a value for error messages; never dumps a whole object. */
export function describe(value: unknown): string {
  if (value === null) return "null"
  if (value === undefined) return "nothing"
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === "number") return `number ${String(value)}`
  if (typeof value === "bigint") return `bigint ${value.toString()}`
  if (typeof value === "object") return "an object"
  return typeof value
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

export function readObject(value: unknown, path: string, code: BadFormatCode = "malformed"): JsonObject {
  if (value === undefined || value === null) fail(path, "is missing", code)
  if (!isObject(value)) fail(path, `expected an object, got ${describe(value)}`)
  return value
}

export function readOptionalObject(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined
  return readObject(value, path)
}

export function readArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) fail(path, "is missing")
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`)
  return value
}

export function readOptionalArray(value: unknown, path: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined
  return readArray(value, path)
}

/** A finite number truncated toward zero (Bungie sends `1.0`-style doubles), within [min, max]. */
export function readInt(value: unknown, path: string, min = INT32_MIN, max = INT32_MAX): number {
  if (value === undefined || value === null) fail(path, "is missing")
  if (typeof value !== "number" || !Number.isFinite(value)) fail(path, `expected a finite number, got ${describe(value)}`)
  const int = Math.trunc(value) + 0 // + 0 turns -0 into 0
  if (int < min || int > max) fail(path, `${int} is out of range [${min}, ${max}]`)
  return int
}

export function readOptionalInt(value: unknown, path: string, min = INT32_MIN, max = INT32_MAX): number | undefined {
  if (value === undefined || value === null) return undefined
  return readInt(value, path, min, max)
}

/** A Destiny hash: an integer in the uint32 range. */
export function readHash(value: unknown, path: string): number {
  if (value === undefined || value === null) fail(path, "is missing")
  if (typeof value !== "number" || !Number.isInteger(value)) fail(path, `expected an integer hash, got ${describe(value)}`)
  if (value < 0 || value > UINT32_MAX) fail(path, `hash ${value} is outside the uint32 range`)
  return value
}

export function readOptionalHash(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined
  return readHash(value, path)
}

export function readOptionalBool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== "boolean") fail(path, `expected a boolean, got ${describe(value)}`)
  return value
}

export function readOptionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string") fail(path, `expected a string, got ${describe(value)}`)
  return value
}

const DECIMAL = /^[0-9]{1,19}$/

/**
 * A positive 64-bit id as a canonical decimal string. Bungie sends ids as strings; a bigint (from a
 * bigint-aware decoder) is fine too. A JS number is accepted only while it is exact (≤ 2^53):
 * anything larger has already lost digits and is rejected rather than stored wrong.
 */
export function readId(value: unknown, path: string): string {
  if (value === undefined || value === null) fail(path, "is missing")
  let id: bigint
  if (typeof value === "string") {
    if (!DECIMAL.test(value)) fail(path, `expected a decimal id, got ${describe(value)}`)
    id = BigInt(value)
  } else if (typeof value === "bigint") {
    id = value
  } else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) fail(path, `id ${String(value)} is a JS number beyond 2^53: precision already lost`)
    id = BigInt(value)
  } else {
    fail(path, `expected a decimal id string, got ${describe(value)}`)
  }
  if (id <= 0n) fail(path, `id must be positive, got ${id.toString()}`)
  if (id > INT64_MAX) fail(path, `id ${id.toString()} exceeds the signed 64-bit range`)
  return id.toString()
}

/**
 * A Bungie stat (`{ basic: { value } }`) as an int32, 0 when the stat is absent (the original's
 * rule). A stat present in the wrong shape is an error, so flattened dataset records
 * (`"kills": 3`) are recognised instead of silently read as zeros.
 */
export function readStat(values: JsonObject, name: string, path: string): number {
  const stat = values[name]
  if (stat === undefined || stat === null) return 0
  const statPath = `${path}.${name}`
  if (!isObject(stat)) {
    const hint = typeof stat === "number" ? " (a flattened stat: not the Bungie API format)" : ""
    fail(statPath, `expected { basic: { value } }, got ${describe(stat)}${hint}`, typeof stat === "number" ? "notApiFormat" : "malformed")
  }
  const basic = readObject(stat.basic, `${statPath}.basic`)
  return readInt(basic.value, `${statPath}.basic.value`)
}

/**
 * What a setting or a flag may hold: its type, limits, default and one-line description. Config
 * keys (the section tables) and run flags (the command specs) share these specs, so both are
 * parsed, typed, documented and shown in --help by the same code.
 */
import { isIP } from "node:net"

interface BaseSpec {
  /** One sentence for --help, .env.example and docs/configuration.md. */
  description: string
}
export interface UrlSpec extends BaseSpec {
  type: "url"
  default: string | null
  protocols: readonly string[]
}
export interface StringSpec extends BaseSpec {
  type: "string"
  default: string | null
  pattern?: RegExp
  /** Shown in messages and docs instead of the pattern. */
  patternHint?: string
}
export interface SecretSpec extends BaseSpec {
  type: "secret"
  default: null
}
export interface IntSpec extends BaseSpec {
  type: "int"
  default: number | null
  min: number
  max: number
}
export interface NumberSpec extends BaseSpec {
  type: "number"
  default: number | null
  min: number
  max: number
}
/** A TCP port, 0 = any free port; with `off`, the word "off" turns the listener off (value null). */
export interface PortSpec extends BaseSpec {
  type: "port"
  default: number | null
  off?: true
}
export interface BooleanSpec extends BaseSpec {
  type: "boolean"
  default: boolean
}
export interface EnumSpec extends BaseSpec {
  type: "enum"
  values: readonly string[]
  default: string | null
}
export interface IpListSpec extends BaseSpec {
  type: "ipList"
  default: readonly string[]
}
/**
 * A list of names: comma-separated in the environment; as a flag it may be repeated
 * (`--queue a --queue b`) and each occurrence may itself be a comma-separated list.
 */
export interface ListSpec extends BaseSpec {
  type: "list"
  default: readonly string[]
  /** Each item must match. */
  pattern?: RegExp
  patternHint?: string
}
/** A 64-bit id (instance, membership, ...): decimal in, bigint out, never a JS number. */
export interface IdSpec extends BaseSpec {
  type: "id"
  default: null
}
export type ValueSpec =
  | UrlSpec
  | StringSpec
  | SecretSpec
  | IntSpec
  | NumberSpec
  | PortSpec
  | BooleanSpec
  | EnumSpec
  | IpListSpec
  | ListSpec
  | IdSpec

type OrNull<S, T> = S extends { default: infer D } ? (null extends D ? T | null : T) : T

/** The parsed value's type of a spec written `as const`. */
export type ValueOf<S> = S extends { type: "url" | "string" | "secret" }
  ? OrNull<S, string>
  : S extends { type: "int" | "number" }
    ? OrNull<S, number>
    : S extends { type: "port"; off: true }
      ? number | null
      : S extends { type: "port" }
        ? OrNull<S, number>
        : S extends { type: "boolean" }
          ? boolean
          : S extends { type: "enum"; values: readonly (infer V)[] }
            ? OrNull<S, V>
            : S extends { type: "ipList" | "list" }
              ? readonly string[]
              : S extends { type: "id" }
                ? bigint | null
                : never

export type ParseOutcome = { ok: true; value: unknown } | { ok: false; reason: string }

const MAX_ID = 9_223_372_036_854_775_807n

/** Parses one raw (trimmed, non-empty) value against its spec. */
export function parseValue(spec: ValueSpec, raw: string): ParseOutcome {
  switch (spec.type) {
    case "url": {
      let url: URL
      try {
        url = new URL(raw)
      } catch {
        return { ok: false, reason: `malformed URL (expected ${spec.protocols.map((p) => `${p}//…`).join(" or ")})` }
      }
      if (!spec.protocols.includes(url.protocol)) {
        return { ok: false, reason: `unsupported scheme ${url.protocol} (expected ${spec.protocols.join(" or ")})` }
      }
      if (!url.hostname) return { ok: false, reason: "URL has no host" }
      return { ok: true, value: raw }
    }
    case "string":
      if (spec.pattern && !spec.pattern.test(raw)) return { ok: false, reason: `expected ${spec.patternHint ?? spec.pattern.source}` }
      return { ok: true, value: raw }
    case "secret":
      if (/\s/.test(raw)) return { ok: false, reason: "must not contain whitespace" }
      return { ok: true, value: raw }
    case "int":
      return parseInteger(raw, spec.min, spec.max)
    case "port":
      if (spec.off && raw.toLowerCase() === "off") return { ok: true, value: null }
      return parseInteger(raw, 0, 65535, spec.off ? ' or "off"' : "")
    case "number": {
      const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN
      if (!Number.isFinite(n)) return { ok: false, reason: `expected a number in [${spec.min}, ${spec.max}]` }
      if (n < spec.min || n > spec.max) return { ok: false, reason: `out of range: expected a number in [${spec.min}, ${spec.max}]` }
      return { ok: true, value: n }
    }
    case "boolean": {
      const lower = raw.toLowerCase()
      if (["1", "true", "yes", "on"].includes(lower)) return { ok: true, value: true }
      if (["0", "false", "no", "off"].includes(lower)) return { ok: true, value: false }
      return { ok: false, reason: "expected true or false" }
    }
    case "enum": {
      const lower = raw.toLowerCase()
      if (!spec.values.includes(lower)) return { ok: false, reason: `expected one of ${spec.values.join(", ")}` }
      return { ok: true, value: lower }
    }
    case "ipList": {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
      const bad = items.filter((s) => isIP(s) === 0)
      if (bad.length > 0) return { ok: false, reason: `not an IP address: ${bad.join(", ")}` }
      if (new Set(items).size !== items.length) return { ok: false, reason: "duplicate address" }
      return { ok: true, value: Object.freeze(items) }
    }
    case "list": {
      const items = [
        ...new Set(
          raw
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
        ),
      ]
      const bad = spec.pattern ? items.filter((s) => !spec.pattern!.test(s)) : []
      if (bad.length > 0)
        return {
          ok: false,
          reason: `${bad.map((b) => JSON.stringify(b)).join(", ")}: expected ${spec.patternHint ?? spec.pattern!.source}`,
        }
      return { ok: true, value: Object.freeze(items) }
    }
    case "id": {
      if (!/^\d{1,19}$/.test(raw)) return { ok: false, reason: "expected a positive decimal id" }
      const id = BigInt(raw)
      if (id < 1n || id > MAX_ID) return { ok: false, reason: "out of range for a 64-bit id" }
      return { ok: true, value: id }
    }
  }
}

function parseInteger(raw: string, min: number, max: number, alternative = ""): ParseOutcome {
  if (!/^[+-]?\d+$/.test(raw)) return { ok: false, reason: `expected an integer in [${min}, ${max}]${alternative}` }
  const n = Number(raw)
  if (n < min || n > max) return { ok: false, reason: `out of range: expected an integer in [${min}, ${max}]${alternative}` }
  return { ok: true, value: n }
}

/** Human description of a spec's type and limits (help, .env.example, docs). */
export function describeType(spec: ValueSpec): string {
  switch (spec.type) {
    case "url":
      return `URL (${spec.protocols.map((p) => p.replace(/:$/, "")).join("/")})`
    case "string":
      return spec.patternHint ? `string, ${spec.patternHint}` : "string"
    case "secret":
      return "secret"
    case "int":
      return `integer ${spec.min}..${spec.max}`
    case "number":
      return `number ${spec.min}..${spec.max}`
    case "port":
      return `port 0..65535 (0 = any free port${spec.off ? ', "off" = none' : ""})`
    case "boolean":
      return "true/false"
    case "enum":
      return spec.values.join("|")
    case "ipList":
      return "comma-separated IP addresses"
    case "list":
      return spec.patternHint ? `comma-separated list (repeatable flag) of ${spec.patternHint}` : "comma-separated list (repeatable flag)"
    case "id":
      return "64-bit decimal id"
  }
}

/** The placeholder after a flag in --help: `--fetchers <n>`. Booleans take none. */
export function describeMetavar(spec: ValueSpec): string {
  switch (spec.type) {
    case "url":
      return "<url>"
    case "string":
      return "<text>"
    case "secret":
      return "<secret>"
    case "int":
      return "<n>"
    case "number":
      return "<x>"
    case "port":
      return "<port>"
    case "boolean":
      return ""
    case "enum":
      return `<${spec.values.join("|")}>`
    case "ipList":
    case "list":
      return "<a,b,...>"
    case "id":
      return "<id>"
  }
}

/** The default as written in .env.example; "" = unset. */
export function renderDefault(spec: ValueSpec): string {
  const value = spec.default
  if (value === null) return ""
  if (Array.isArray(value)) return value.join(",")
  return String(value)
}

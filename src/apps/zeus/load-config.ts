/**
 * A tiny loader for zeus's own keys (config-keys.ts) until they move into the shared config's
 * zeus section: environment < flags (`--port 7777`, `--port=7777`), every problem reported at
 * once in a ConfigError naming the key and the value. Arguments it does not know are returned.
 */
import { isIP } from "node:net"
import { ConfigError, type ConfigIssue, type ConfigSpec } from "../../lib/config.ts"
import { parseClientWeights } from "./client-weights.ts"
import { ZEUS_CLIENT_CONFIG_TABLE, ZEUS_CONFIG_TABLE } from "./config-keys.ts"
import { parseNetworks } from "./networks.ts"

type Table = typeof ZEUS_CONFIG_TABLE
type ValueOf<S> = S extends { type: "int" }
  ? number
  : S extends { type: "ipList" }
    ? readonly string[]
    : S extends { default: null }
      ? string | null
      : string

export type ZeusConfig = { readonly [K in keyof Table]: ValueOf<Table[K]> }

export interface LoadedZeusConfig {
  config: ZeusConfig
  help: boolean
  /** Arguments that are not zeus flags. */
  rest: string[]
}

const SPECS = ZEUS_CONFIG_TABLE as Record<string, ConfigSpec>
const KEYS = Object.keys(ZEUS_CONFIG_TABLE) as (keyof Table)[]

/** `ZEUS_SOURCE_ADDRESSES` → `source-addresses`. */
export function flagNameOf(key: string): string {
  return key
    .replace(/^ZEUS_/, "")
    .toLowerCase()
    .replace(/_/g, "-")
}

const FLAG_TO_KEY = new Map<string, keyof Table>(KEYS.map((key) => [flagNameOf(key), key]))

export function loadZeusConfig(env: Record<string, string | undefined>, argv: readonly string[]): LoadedZeusConfig {
  const issues: ConfigIssue[] = []
  const fromFlags: Partial<Record<keyof Table, string>> = {}
  const rest: string[] = []
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--help" || arg === "-h") {
      help = true
      continue
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg)
    const key = m ? FLAG_TO_KEY.get(m[1]!) : undefined
    if (!m || key === undefined) {
      rest.push(arg)
      continue
    }
    const value = m[2] ?? argv[i + 1]
    if (m[2] === undefined) i++
    if (value === undefined) issues.push({ key, value: arg, reason: "flag needs a value" })
    else fromFlags[key] = value
  }
  const out: Record<string, unknown> = {}
  for (const key of KEYS) {
    const spec = SPECS[key]!
    const flagged = fromFlags[key]
    const raw = (flagged ?? env[key])?.trim()
    if (raw === undefined || raw === "") {
      out[key] = spec.default
      continue
    }
    const parsed = parseValue(key, spec, raw)
    if (typeof parsed === "string") {
      issues.push({ key: flagged === undefined ? key : `${key} (--${flagNameOf(key)})`, value: JSON.stringify(raw), reason: parsed })
    } else out[key] = parsed.value
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return { config: Object.freeze(out) as ZeusConfig, help, rest }
}

/** ZEUS_URL for a Bungie client (hermes, jobs, tools); null when unset. Throws ConfigError. */
export function loadZeusUrl(env: Record<string, string | undefined>): string | null {
  const raw = env.ZEUS_URL?.trim()
  if (raw === undefined || raw === "") return null
  const parsed = parseValue("ZEUS_URL", ZEUS_CLIENT_CONFIG_TABLE.ZEUS_URL, raw)
  if (typeof parsed === "string") throw new ConfigError([{ key: "ZEUS_URL", value: JSON.stringify(raw), reason: parsed }])
  return parsed.value as string
}

/** The value, or the reason it is refused. */
function parseValue(key: string, spec: ConfigSpec, raw: string): { value: unknown } | string {
  switch (spec.type) {
    case "int": {
      const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN
      if (!(n >= spec.min && n <= spec.max)) return `expected an integer in [${spec.min}, ${spec.max}]`
      return { value: n }
    }
    case "ipList": {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
      const bad = items.filter((s) => isIP(s) === 0)
      if (bad.length > 0) return `not an IP address: ${bad.join(", ")}`
      if (new Set(items).size !== items.length) return "duplicate address"
      return { value: Object.freeze(items) }
    }
    case "url": {
      let url: URL
      try {
        url = new URL(raw)
      } catch {
        return `malformed URL (expected ${spec.protocols.join(" or ")}//host:port)`
      }
      if (!spec.protocols.includes(url.protocol)) return `unsupported scheme ${url.protocol} (expected ${spec.protocols.join(" or ")})`
      return { value: raw }
    }
    case "string": {
      if (spec.pattern && !spec.pattern.test(raw)) return `expected ${spec.patternHint ?? spec.pattern.source}`
      // Keys with structure beyond the pattern are parsed here, so a bad value stops start-up.
      try {
        if (key === "ZEUS_ALLOWED_NETWORKS") parseNetworks(raw)
        if (key === "ZEUS_CLIENT_WEIGHTS") parseClientWeights(raw)
        if (key === "ZEUS_LISTEN_ADDRESS" && isIP(raw) === 0) return "expected an IP address to listen on"
      } catch (error) {
        return error instanceof Error ? error.message : String(error)
      }
      return { value: raw }
    }
    default:
      return `unsupported type ${spec.type}`
  }
}

/** Help text from the table. */
export function describeZeusFlags(): string {
  const lines = KEYS.map((key) => {
    const spec = SPECS[key]!
    const shown = Array.isArray(spec.default) ? spec.default.join(",") || "(none)" : String(spec.default ?? "(none)")
    return `  --${flagNameOf(key).padEnd(20)} ${key} (default ${shown})\n      ${spec.description}`
  })
  return lines.join("\n")
}

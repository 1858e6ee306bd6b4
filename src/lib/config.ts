/**
 * The one configuration of every app and tool: typed, validated, frozen.
 *
 * Every key lives in CONFIG_TABLE below with its type, default, description and limits; that
 * table is the only place defaults exist, and `.env.example` / the README key table are
 * rendered from it (a test keeps `.env.example` from drifting). To add a key, add an entry:
 * its type in `Config` follows automatically.
 *
 * Sources, later wins: defaults < environment (Bun also loads `.env`) < command-line flags
 * (`--fetchers 4`, `--database-url=...`; the flag name is the key in kebab case without the
 * `RAIDHUB_` prefix). An empty environment value means "unset". Errors name the key and the
 * value, all at once; secret values are shown as [REDACTED], URL passwords as ***.
 */
import { isIP } from "node:net"
import { type LogLevel, maskSecrets, registerSecret } from "./monitoring/logger.ts"

interface BaseSpec {
  description: string
  /** Flag name without dashes; default: derived from the key. `false` = environment only. */
  flag?: string | false
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
  /** Shown in messages when the pattern does not match. */
  patternHint?: string
}
export interface SecretSpec extends BaseSpec {
  type: "secret"
  default: null
}
export interface IntSpec extends BaseSpec {
  type: "int"
  default: number
  min: number
  max: number
}
export interface NumberSpec extends BaseSpec {
  type: "number"
  default: number
  min: number
  max: number
}
export interface BooleanSpec extends BaseSpec {
  type: "boolean"
  default: boolean
}
export interface EnumSpec extends BaseSpec {
  type: "enum"
  values: readonly string[]
  default: string
}
export interface IpListSpec extends BaseSpec {
  type: "ipList"
  default: readonly string[]
}
export type ConfigSpec = UrlSpec | StringSpec | SecretSpec | IntSpec | NumberSpec | BooleanSpec | EnumSpec | IpListSpec

const PORT = { min: 0, max: 65535 } as const

/** Every configuration key. Keys prefixed RAIDHUB_ are crawler tuning; unknown RAIDHUB_* keys are errors. */
export const CONFIG_TABLE = {
  DATABASE_URL: {
    type: "url",
    default: null,
    protocols: ["postgres:", "postgresql:"],
    description: "Postgres connection URL. Empty: run an embedded Postgres under DATA_DIR/postgres.",
  },
  EMBEDDED_POSTGRES_PORT: {
    type: "int",
    default: 54329,
    min: 1,
    max: 65535,
    description: "Port of the embedded Postgres (used only when DATABASE_URL is empty; listens on 127.0.0.1).",
  },
  CLICKHOUSE_URL: {
    type: "url",
    default: null,
    protocols: ["http:", "https:"],
    description: "ClickHouse HTTP URL (http://user:password@host:8123). Empty: embedded chdb under DATA_DIR/clickhouse.",
  },
  CLICKHOUSE_DATABASE: {
    type: "string",
    default: "raidhub",
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    patternHint: "a ClickHouse identifier (letters, digits, _)",
    description: "ClickHouse database holding the instance table and rollups (created when missing).",
  },
  RABBITMQ_URL: {
    type: "url",
    default: null,
    protocols: ["amqp:", "amqps:"],
    description: "RabbitMQ URL (amqp://guest:guest@127.0.0.1:5672). Empty: messages wait in the outbox.",
  },
  BUNGIE_API_KEY: {
    type: "secret",
    default: null,
    description: "Bungie API key (X-API-Key). Never logged. Not needed with --sim.",
  },
  BUNGIE_BASE_URL: {
    type: "url",
    default: "https://stats.bungie.net",
    protocols: ["http:", "https:"],
    description: "Base URL for PGCR requests (stats host); point at the simulator or a proxy to redirect.",
  },
  BUNGIE_WWW_BASE_URL: {
    type: "url",
    default: "https://www.bungie.net",
    protocols: ["http:", "https:"],
    description: "Base URL for every other Bungie endpoint (profiles, histories, groups, manifest).",
  },
  DATA_DIR: {
    type: "string",
    default: "./.data",
    description: "Directory for embedded Postgres and ClickHouse data.",
  },
  LOG_LEVEL: {
    type: "enum",
    values: ["debug", "info", "warn", "error", "silent"],
    default: "info",
    description: "Lowest log level written (JSON lines on stderr). -v / --verbose sets debug.",
  },
  ATLAS_METRICS_PORT: { type: "int", default: 8080, ...PORT, description: "Atlas /metrics port (0 = any free port)." },
  HERMES_METRICS_PORT: { type: "int", default: 8081, ...PORT, description: "Hermes /metrics port (0 = any free port)." },
  ZEUS_METRICS_PORT: { type: "int", default: 8082, ...PORT, description: "Zeus /metrics port (0 = any free port)." },
  RAIDHUB_FETCHERS: {
    type: "int",
    default: 2,
    min: 1,
    max: 64,
    description: "Atlas fetcher Worker threads.",
  },
  RAIDHUB_MAX_CONCURRENCY: {
    type: "int",
    default: 64,
    min: 1,
    max: 4096,
    description: "Most concurrent PGCR requests over all fetchers (the limiter may use fewer).",
  },
  RAIDHUB_SOURCE_ADDRESSES: {
    type: "ipList",
    default: [],
    description: "Comma-separated local IP addresses to send Bungie requests from, one rate bucket each. Empty: default route.",
  },
  RAIDHUB_BATCH_SIZE: {
    type: "int",
    default: 500,
    min: 1,
    max: 100000,
    description: "pg-writer: most instances per write transaction.",
  },
  RAIDHUB_BATCH_MAX_MS: {
    type: "int",
    default: 250,
    min: 1,
    max: 60000,
    description:
      "pg-writer: longest wait (ms) before a partial batch is written; also the least time between two such writes (an item after a quiet interval waits only 20 ms).",
  },
  RAIDHUB_TARGET_404_SHARE: {
    type: "number",
    default: 0.025,
    min: 0,
    max: 0.5,
    description: "Share of frontier requests allowed to answer not-found (1653/404) before atlas backs off.",
  },
} as const satisfies Record<string, ConfigSpec>

export type ConfigKey = keyof typeof CONFIG_TABLE

type ValueOf<S> = S extends { type: "url" | "string" | "secret"; default: infer D }
  ? null extends D
    ? string | null
    : string
  : S extends { type: "int" | "number" }
    ? number
    : S extends { type: "boolean" }
      ? boolean
      : S extends { type: "enum"; values: readonly (infer V)[] }
        ? V
        : S extends { type: "ipList" }
          ? readonly string[]
          : never

export type Config = { readonly [K in ConfigKey]: ValueOf<(typeof CONFIG_TABLE)[K]> }

/** Prefix under which every key must be known (typos in tuning keys must not pass silently). */
export const STRICT_PREFIX = "RAIDHUB_"
const REDACTED = "[REDACTED]"

export interface ConfigIssue {
  key: string
  /** The offending value as shown to people (secrets redacted, URL passwords masked). */
  value: string
  reason: string
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.key}=${i.value}: ${i.reason}`).join("\n")}`)
    this.name = "ConfigError"
  }
}

const SPECS = CONFIG_TABLE as Record<string, ConfigSpec>
const KEYS = Object.keys(CONFIG_TABLE) as ConfigKey[]

/** The flag name of a key: `RAIDHUB_MAX_CONCURRENCY` → `max-concurrency`, `DATABASE_URL` → `database-url`. */
export function flagNameOf(key: string): string | null {
  const spec = SPECS[key]
  if (spec?.flag === false) return null
  if (spec?.flag) return spec.flag
  const base = key.startsWith(STRICT_PREFIX) ? key.slice(STRICT_PREFIX.length) : key
  return base.toLowerCase().replace(/_/g, "-")
}

const FLAG_TO_KEY = new Map<string, ConfigKey>()
for (const key of KEYS) {
  const flag = flagNameOf(key)
  if (flag) FLAG_TO_KEY.set(flag, key)
}

/** Masks the password of a URL-looking value so connection strings can appear in errors and logs. */
export function maskUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, "$1:***@")
}

function displayValue(key: string, raw: string): string {
  if (SPECS[key]?.type === "secret") return REDACTED
  return JSON.stringify(maskSecrets(maskUrlPassword(raw)))
}

type ParseOutcome = { ok: true; value: unknown } | { ok: false; reason: string }

function parseValue(spec: ConfigSpec, raw: string): ParseOutcome {
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
    case "int": {
      if (!/^[+-]?\d+$/.test(raw)) return { ok: false, reason: `expected an integer in [${spec.min}, ${spec.max}]` }
      const n = Number(raw)
      if (n < spec.min || n > spec.max) return { ok: false, reason: `out of range: expected an integer in [${spec.min}, ${spec.max}]` }
      return { ok: true, value: n }
    }
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
  }
}

export interface ParsedArgs {
  /** Config values given as flags, by key (raw strings). */
  values: Partial<Record<ConfigKey, string>>
  /** Arguments that are not config flags, in order (for the app's own parser). */
  rest: string[]
  issues: ConfigIssue[]
}

/** Extracts config flags (`--key value`, `--key=value`, `-v`/`--verbose`) from argv. */
export function parseConfigArgs(argv: readonly string[]): ParsedArgs {
  const values: Partial<Record<ConfigKey, string>> = {}
  const rest: string[] = []
  const issues: ConfigIssue[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "-v" || arg === "--verbose") {
      values.LOG_LEVEL = "debug"
      continue
    }
    const m = /^--([a-z0-9][a-z0-9-]*)(?:=(.*))?$/s.exec(arg)
    const key = m ? FLAG_TO_KEY.get(m[1]!) : undefined
    if (!m || !key) {
      rest.push(arg)
      continue
    }
    let value = m[2]
    if (value === undefined) {
      const spec = SPECS[key]!
      const next = argv[i + 1]
      if (spec.type === "boolean" && (next === undefined || next.startsWith("--"))) value = "true"
      else if (next === undefined) {
        issues.push({ key, value: `--${m[1]}`, reason: "flag needs a value" })
        continue
      } else {
        value = next
        i++
      }
    }
    values[key] = value
  }
  return { values, rest, issues }
}

export interface LoadedConfig {
  config: Config
  /** Command-line arguments that are not config flags. */
  rest: string[]
}

/** Builds the config and returns the arguments it did not consume. Throws ConfigError. */
export function loadConfigWithArgs(env: Record<string, string | undefined> = process.env, argv: readonly string[] = []): LoadedConfig {
  // Register the key first so that even a failure message elsewhere cannot print it.
  const flagArgs = parseConfigArgs(argv)
  registerSecret(flagArgs.values.BUNGIE_API_KEY ?? env.BUNGIE_API_KEY)
  const issues: ConfigIssue[] = [...flagArgs.issues]

  for (const name of Object.keys(env)) {
    if (name.startsWith(STRICT_PREFIX) && !(name in SPECS)) {
      const known = KEYS.filter((k) => k.startsWith(STRICT_PREFIX)).join(", ")
      issues.push({ key: name, value: displayValue(name, env[name] ?? ""), reason: `unknown key (known ${STRICT_PREFIX}* keys: ${known})` })
    }
  }

  const out: Record<string, unknown> = {}
  for (const key of KEYS) {
    const spec = SPECS[key]!
    const fromFlag = flagArgs.values[key]
    const raw = (fromFlag ?? env[key])?.trim()
    if (raw === undefined || raw === "") {
      out[key] = spec.default
      continue
    }
    const parsed = parseValue(spec, raw)
    if (parsed.ok) out[key] = parsed.value
    else
      issues.push({
        key: fromFlag !== undefined ? `${key} (--${flagNameOf(key)})` : key,
        value: displayValue(key, raw),
        reason: parsed.reason,
      })
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return { config: Object.freeze(out) as Config, rest: flagArgs.rest }
}

/** Builds the typed, frozen config from the environment and command-line flags. Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env, argv: readonly string[] = []): Config {
  return loadConfigWithArgs(env, argv).config
}

/** The config as safe-to-log fields: the API key redacted, URL passwords masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of KEYS) {
    const value = config[key]
    const spec = SPECS[key]!
    if (spec.type === "secret") out[key] = value === null ? null : REDACTED
    else if (typeof value === "string") out[key] = maskUrlPassword(value)
    else out[key] = value
  }
  return out
}

/** Human description of a key's type and limits (for .env.example and the README). */
export function describeType(spec: ConfigSpec): string {
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
    case "boolean":
      return "true/false"
    case "enum":
      return spec.values.join("|")
    case "ipList":
      return "comma-separated IP addresses"
  }
}

function renderDefault(spec: ConfigSpec): string {
  const value = spec.default
  if (value === null) return ""
  if (Array.isArray(value)) return value.join(",")
  return String(value)
}

/** Renders `.env.example`: every key with its default (empty = unset), described. */
export function renderEnvExample(): string {
  const lines = [
    "# RaidHub Services configuration. Generated from CONFIG_TABLE in src/lib/config.ts;",
    "# `bun src/lib/config.ts --env-example > .env.example` rewrites it. Copy to .env and edit.",
    "# An empty value means unset. Every key can also be given as a flag (see README).",
  ]
  for (const key of KEYS) {
    const spec = SPECS[key]!
    lines.push("", `# ${spec.description}`, `# ${describeType(spec)}${spec.flag === false ? "" : `; flag --${flagNameOf(key)}`}`)
    lines.push(`${key}=${renderDefault(spec)}`)
  }
  return `${lines.join("\n")}\n`
}

/** Renders the Markdown table of keys for the README. */
export function renderConfigMarkdown(): string {
  const rows = ["| key | flag | type | default | description |", "|---|---|---|---|---|"]
  for (const key of KEYS) {
    const spec = SPECS[key]!
    const flag = flagNameOf(key)
    const def = renderDefault(spec)
    rows.push(
      `| \`${key}\` | ${flag ? `\`--${flag}\`` : ""} | ${describeType(spec)} | ${def ? `\`${def}\`` : "(unset)"} | ${spec.description.replace(/\|/g, "\\|")} |`,
    )
  }
  return `${rows.join("\n")}\n`
}

// `bun src/lib/config.ts --env-example` / `--markdown` print the generated files.
if (import.meta.main) {
  const arg = process.argv[2]
  if (arg === "--env-example") process.stdout.write(renderEnvExample())
  else if (arg === "--markdown") process.stdout.write(renderConfigMarkdown())
  else {
    try {
      process.stdout.write(`${JSON.stringify(describeConfig(loadConfig(process.env, process.argv.slice(2))), null, 2)}\n`)
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
      process.exit(2)
    }
  }
}

// Compile-time check that LOG_LEVEL's values are exactly the logger's levels.
const LOG_LEVEL_VALUES: readonly LogLevel[] = CONFIG_TABLE.LOG_LEVEL.values
void LOG_LEVEL_VALUES

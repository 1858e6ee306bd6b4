/**
 * Structured JSON-lines logger: one event per line, level filter, child loggers with bound
 * fields. Secrets never reach the sink: fields whose key looks like a credential are replaced,
 * and any string equal to (or containing) a registered secret value is masked.
 *
 * Kept deliberately tiny: the hot path is one level comparison, and disabled levels cost nothing
 * beyond that check.
 */

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent"
export type LogFields = Record<string, unknown>
export type LogSink = (line: string) => void

export interface Logger {
  readonly level: LogLevel
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
  /** A logger that adds `fields` to every event it writes. */
  child(fields: LogFields): Logger
  isEnabled(level: Exclude<LogLevel, "silent">): boolean
}

export interface LoggerOptions {
  level?: LogLevel
  /** Fields bound to every event (e.g. { app: "atlas" }). */
  fields?: LogFields
  /** Where lines go; default writes to stderr. Each call receives one line including "\n". */
  sink?: LogSink
  /** Secret values (e.g. the Bungie API key) to mask wherever they appear. */
  secrets?: readonly string[]
  /** Clock for the `ts` field; injectable for tests. */
  now?: () => Date
}

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"]

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }
const REDACTED = "[REDACTED]"
// Keys named like credentials: apiKey, api_key, x-api-key, password, passwd, token, secret, authorization, cookie.
const SECRET_KEY_PATTERN = /api[-_]?key|passw(or)?d|token|secret|authorization|cookie|credential/i
const MAX_DEPTH = 6

/** Parses a level name (case-insensitive); returns null when it is not one. */
export function parseLogLevel(value: string): LogLevel | null {
  const lower = value.trim().toLowerCase()
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : null
}

/** True when a field name looks like it holds a credential. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key)
}

// Process-wide secret registry: config registers the API key once, and every logger
// (including ones created before config loaded) masks it.
const globalSecrets = new Set<string>()

/** Registers a secret value that every logger masks from then on. Empty/short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  // Very short values would mask ordinary text everywhere; a real key is 32 hex chars.
  if (value && value.length >= 6) globalSecrets.add(value)
}

/** Replaces every occurrence of a registered secret inside `text`. */
export function maskSecrets(text: string, extra: readonly string[] = []): string {
  let out = text
  for (const secret of globalSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  for (const secret of extra) if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED)
  return out
}

function sanitize(value: unknown, extra: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return maskSecrets(value, extra)
  if (typeof value === "bigint") return value.toString()
  if (value === null || typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") return String(value)
    return value
  }
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: maskSecrets(value.message, extra) }
    if (value.stack) out.stack = maskSecrets(value.stack, extra)
    const code = (value as { code?: unknown }).code
    if (code !== undefined) out.code = sanitize(code, extra, depth + 1, seen)
    if (value.cause !== undefined && depth < MAX_DEPTH) out.cause = sanitize(value.cause, extra, depth + 1, seen)
    return out
  }
  if (seen.has(value)) return "[Circular]"
  if (depth >= MAX_DEPTH) return "[Truncated]"
  seen.add(value)
  if (Array.isArray(value)) return value.map((item) => sanitize(item, extra, depth + 1, seen))
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`
  const out: LogFields = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== undefined && item !== null && item !== "" ? REDACTED : sanitize(item, extra, depth + 1, seen)
  }
  return out
}

/** Makes fields safe to serialise: secrets masked, bigints as strings, errors expanded. */
export function sanitizeFields(fields: LogFields, extraSecrets: readonly string[] = []): LogFields {
  return sanitize(fields, extraSecrets, 0, new WeakSet()) as LogFields
}

function writeStderr(line: string): void {
  process.stderr.write(line)
}

class JsonLogger implements Logger {
  readonly level: LogLevel
  private readonly rank: number
  private readonly bound: LogFields
  private readonly sink: LogSink
  private readonly secrets: readonly string[]
  private readonly now: () => Date

  constructor(level: LogLevel, bound: LogFields, sink: LogSink, secrets: readonly string[], now: () => Date) {
    this.level = level
    this.rank = LEVEL_RANK[level]
    this.bound = bound
    this.sink = sink
    this.secrets = secrets
    this.now = now
  }

  isEnabled(level: Exclude<LogLevel, "silent">): boolean {
    return LEVEL_RANK[level] >= this.rank
  }

  debug(event: string, fields?: LogFields): void {
    if (LEVEL_RANK.debug >= this.rank) this.write("debug", event, fields)
  }
  info(event: string, fields?: LogFields): void {
    if (LEVEL_RANK.info >= this.rank) this.write("info", event, fields)
  }
  warn(event: string, fields?: LogFields): void {
    if (LEVEL_RANK.warn >= this.rank) this.write("warn", event, fields)
  }
  error(event: string, fields?: LogFields): void {
    if (LEVEL_RANK.error >= this.rank) this.write("error", event, fields)
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.level, { ...this.bound, ...sanitizeFields(fields, this.secrets) }, this.sink, this.secrets, this.now)
  }

  private write(level: LogLevel, event: string, fields: LogFields | undefined): void {
    // ts, level and event come first so lines stay greppable; call fields win over bound ones.
    const record: LogFields = { ts: this.now().toISOString(), level, event: maskSecrets(event, this.secrets), ...this.bound }
    if (fields) Object.assign(record, sanitizeFields(fields, this.secrets))
    let line: string
    try {
      line = JSON.stringify(record)
    } catch (err) {
      line = JSON.stringify({ ts: record.ts, level, event: record.event, logError: String(err) })
    }
    this.sink(`${line}\n`)
  }
}

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0)
  return new JsonLogger(
    options.level ?? "info",
    sanitizeFields(options.fields ?? {}, secrets),
    options.sink ?? writeStderr,
    secrets,
    options.now ?? (() => new Date()),
  )
}

/** Level from LOG_LEVEL (env), else info. Used by the default logger before config is loaded. */
function levelFromEnv(): LogLevel {
  const raw = process.env.LOG_LEVEL
  return (raw && parseLogLevel(raw)) || "info"
}

/** Process-wide default logger (stderr, LOG_LEVEL). Apps usually create their own child. */
export const logger: Logger = createLogger({ level: levelFromEnv() })

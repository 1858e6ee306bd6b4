/**
 * What went wrong when connecting to a service, in words a person can act on, and whether
 * waiting can help. A refused connection or an unknown host can heal while a stack starts up
 * (containers, DNS); a missing database or a refused login will not, so those fail at once.
 * Errors we do not recognise return null: they are bugs, not outages, and keep their stack.
 */

export interface ConnectFailure {
  /** "connection refused", `database "x" does not exist`, ... */
  reason: string
  retryable: boolean
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  CONNECT_TIMEOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EAI_AGAIN: "host name lookup failed (temporary)",
  ENOTFOUND: "unknown host",
  // Postgres: the server is up but not accepting connections yet (starting, recovering, full).
  "57P03": "the database system is starting up",
  "53300": "too many connections",
}

const PERMANENT_CODES: Readonly<Record<string, string>> = {
  "28P01": "authentication failed",
  "28000": "authentication failed",
  "516": "authentication failed", // ClickHouse AUTHENTICATION_FAILED
  ACCESS_REFUSED: "authentication failed",
  NOT_ALLOWED: "access refused",
}

export function classifyConnectError(error: unknown): ConnectFailure | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    const message = current instanceof Error ? current.message : String(current)
    if (typeof code === "string") {
      if (code === "3D000") return { reason: message, retryable: false }
      const permanent = PERMANENT_CODES[code]
      if (permanent) return { reason: `${permanent}: ${stripCode(message)}`, retryable: false }
      const network = NETWORK_CODES[code]
      if (network) return { reason: network, retryable: true }
    }
    current = (current as { cause?: unknown }).cause
  }
  return null
}

/** rabbitmq-client prefixes messages with their code ("ACCESS_REFUSED - Login was refused ..."). */
function stripCode(message: string): string {
  return message.replace(/^[^:]*:\s*[A-Z_]+ - /, "").replace(/^[A-Z_]+ - /, "")
}

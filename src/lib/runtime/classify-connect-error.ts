/**
 * What went wrong when connecting to a service, in words a person can act on, and whether
 * waiting can help. A refused connection or an unknown host can heal while a stack starts up
 * (containers, DNS); a missing database or a refused login will not, so those fail at once.
 * Errors we do not recognise return null: they are bugs, not outages, and keep their stack.
 */
import { errorCodes, NETWORK_FAILURES } from "../errors/connection-codes.ts"

export interface ConnectFailure {
  /** "connection refused", `database "x" does not exist`, ... */
  reason: string
  retryable: boolean
}

const PERMANENT_CODES: Readonly<Record<string, string>> = {
  "28P01": "authentication failed",
  "28000": "authentication failed",
  "516": "authentication failed", // ClickHouse AUTHENTICATION_FAILED
  ACCESS_REFUSED: "authentication failed",
  NOT_ALLOWED: "access refused",
}

export function classifyConnectError(error: unknown): ConnectFailure | null {
  for (const { code, error: current } of errorCodes(error)) {
    const message = current instanceof Error ? current.message : String(current)
    if (code === "3D000") return { reason: message, retryable: false }
    const permanent = PERMANENT_CODES[code]
    if (permanent) return { reason: `${permanent}: ${stripCode(message)}`, retryable: false }
    const network = NETWORK_FAILURES[code]
    if (network) return { reason: network, retryable: true }
  }
  return null
}

/** rabbitmq-client prefixes messages with their code ("ACCESS_REFUSED - Login was refused ..."). */
function stripCode(message: string): string {
  return message.replace(/^[^:]*:\s*[A-Z_]+ - /, "").replace(/^[A-Z_]+ - /, "")
}

/**
 * Whether a failed Postgres call means "the database is not there right now" (down, restarting,
 * unreachable, refusing connections) rather than "the database answered and rejected this".
 *
 * The difference decides what a writer may do with its data: while the database is unreachable
 * nothing can be stored and nothing can be ledgered either, so the only sound move is to hold the
 * data and try again; a rejection (a constraint, a bad value) is about the data and is retried a
 * few times, then isolated.
 */

/**
 * Socket errors (Node's codes) and postgres.js connection errors (a socket that closed or was
 * destroyed under a query). The same network codes as lib/runtime/classify-connect-error.ts, which
 * this folder cannot import (lib/runtime depends on lib/database).
 */
const CLIENT_CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
])

/** SQLSTATEs the server sends while it goes away or is not ready to serve. */
const SERVER_UNAVAILABLE_CODES = new Set([
  "57P01", // admin_shutdown (a fast or smart shutdown terminated the session)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovering)
  "53300", // too_many_connections
])

export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") {
      if (CLIENT_CONNECTION_CODES.has(code) || SERVER_UNAVAILABLE_CODES.has(code)) return true
      // Class 08: connection exception.
      if (/^08[0-9A-Z]{3}$/.test(code)) return true
    }
    current = (current as { cause?: unknown }).cause
  }
  // CONNECTION_ENDED is deliberately absent: it means our own pool was ended (shutdown), which
  // waiting cannot heal.
  return false
}

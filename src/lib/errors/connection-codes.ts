/**
 * Error codes that mean "the service is not reachable right now", shared by the start-up wait
 * (runtime/classify-connect-error.ts) and the pg-writer's outage hold (database/unreachable.ts).
 * A leaf module: both folders import it, and it imports nothing.
 */

/** Network failures and a Postgres that is up but not serving yet, in words a person can act on. */
export const NETWORK_FAILURES: Readonly<Record<string, string>> = {
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

/** Each string `code` along an error's `cause` chain (at most 5 deep), outermost first. */
export function* errorCodes(error: unknown): Generator<{ code: string; error: unknown }> {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") yield { code, error: current }
    current = (current as { cause?: unknown }).cause
  }
}

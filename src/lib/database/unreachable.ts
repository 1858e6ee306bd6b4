/**
 * Whether a failed Postgres call means "the database is not there right now" (down, restarting,
 * unreachable, refusing connections) rather than "the database answered and rejected this".
 *
 * The difference decides what a writer may do with its data: while the database is unreachable
 * nothing can be stored and nothing can be ledgered either, so the only sound move is to hold the
 * data and try again; a rejection (a constraint, a bad value) is about the data and is retried a
 * few times, then isolated.
 */

import { errorCodes, NETWORK_FAILURES } from "../errors/connection-codes.ts"

/**
 * Besides the network failures: postgres.js's codes for a socket that closed or was destroyed
 * under a query, and the server ending sessions as it shuts down or crashes.
 */
const LOST_UNDER_A_QUERY = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "57P01", "57P02"])

export function isDatabaseUnreachable(error: unknown): boolean {
  for (const { code } of errorCodes(error)) {
    if (Object.hasOwn(NETWORK_FAILURES, code) || LOST_UNDER_A_QUERY.has(code)) return true
    // Class 08: connection exception.
    if (/^08[0-9A-Z]{3}$/.test(code)) return true
  }
  // CONNECTION_ENDED is deliberately absent: it means our own pool was ended (shutdown), which
  // waiting cannot heal.
  return false
}

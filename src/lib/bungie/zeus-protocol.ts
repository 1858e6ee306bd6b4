/**
 * What zeus (the Bungie egress proxy, src/apps/zeus) and its callers agree on. Kept in lib so
 * the client can recognise zeus's own answers without importing the app.
 *
 * Zeus forwards Bungie's answers unchanged. The few answers it makes up itself are Bungie-shaped
 * (an envelope with ErrorCode / ErrorStatus / Message) and carry the `x-zeus-local` header:
 * - ZeusQueueTimeout (503): the request waited in zeus's fair queue past its deadline; Bungie
 *   was never asked. A local timeout, not a throttle: our client classifies it as transient.
 * - ZeusQueueFull (503): the queue is at its bound and this caller has the longest backlog.
 * - ZeusShuttingDown (503): zeus is stopping; try again (another replica or after restart).
 * - ZeusUpstreamError (502): Bungie could not be reached (connection refused, reset, timeout).
 * - SystemDisabled (503, ErrorCode 5): zeus is paused because Bungie answered SystemDisabled
 *   moments ago; it answers for Bungie until Settings says Destiny 2 is back. Classified as
 *   Bungie's own SystemDisabled (that is what it relays).
 */

/** Request header: which caller this is, e.g. `hermes/player_crawl`; zeus shares its egress fairly between them. */
export const ZEUS_CLIENT_HEADER = "x-raidhub-client"
/** Request header: most milliseconds the request may wait in zeus's queue (zeus caps it at its own deadline). */
export const ZEUS_DEADLINE_HEADER = "x-raidhub-deadline-ms"
/** Response header on answers zeus made up itself; its value is the ErrorStatus. */
export const ZEUS_LOCAL_HEADER = "x-zeus-local"
/** Response header on forwarded answers: index of the source address that sent the request. */
export const ZEUS_ADDRESS_HEADER = "x-zeus-address"
/** Response header on forwarded answers: milliseconds the request waited in zeus's queue. */
export const ZEUS_WAIT_HEADER = "x-zeus-wait-ms"

/** What a caller tag may look like (zeus files anything else under "invalid"). */
export const ZEUS_CLIENT_TAG_PATTERN = /^[A-Za-z0-9._:/-]{1,64}$/

/** ErrorCode of zeus's own statuses: 0 is "None" in Bungie's PlatformErrorCodes, never sent by Bungie. */
export const ZEUS_LOCAL_ERROR_CODE = 0

export const ZEUS_LOCAL_STATUSES = ["ZeusQueueTimeout", "ZeusQueueFull", "ZeusShuttingDown", "ZeusUpstreamError"] as const
export type ZeusLocalStatus = (typeof ZEUS_LOCAL_STATUSES)[number]

/** True for an ErrorStatus zeus made up (not Bungie's): a local, transient condition. */
export function isZeusLocalStatus(errorStatus: string | null | undefined): errorStatus is ZeusLocalStatus {
  return errorStatus != null && (ZEUS_LOCAL_STATUSES as readonly string[]).includes(errorStatus)
}

/**
 * One Bungie request that needs the player's membership type, made with the known type (or the
 * first guess) and repeated with the type Bungie names when it answers InvalidParameters. Bounded:
 * each type is tried at most once.
 */
import type { BungieClient } from "../../lib/bungie/client.ts"
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import type { BungieResult } from "../../lib/bungie/result.ts"
import { GUESS_ORDER, INVALID_PARAMETERS, isDestinyMembershipType, nextType, typeFromHint } from "./membership.ts"

export type PlayerBungie = Pick<RateLimitedBungie, "call">

export interface TypedResult<T> {
  result: BungieResult<T>
  /** The type the last request used (the right one when the result is ok). */
  membershipType: number
  /** Requests made (logical calls; the client's own retries of a throttle are not counted). */
  calls: number
}

/** SystemDisabled pauses the queue and other failures retry the message: only short blips are retried here. */
export const CALL_OPTIONS = { maxAttempts: 3, retryOn: ["transient", "throttled"] } as const

export async function callWithMembershipType<T>(
  bungie: PlayerBungie,
  knownType: number | null,
  request: (client: BungieClient, membershipType: number) => Promise<BungieResult<T>>,
  signal?: AbortSignal,
): Promise<TypedResult<T>> {
  let type = isDestinyMembershipType(knownType) ? knownType : GUESS_ORDER[0]!
  const tried = new Set<number>()
  for (let calls = 1; ; calls++) {
    tried.add(type)
    const result = await bungie.call((client) => request(client, type), { ...CALL_OPTIONS, signal })
    if (result.kind !== "fatal" || result.meta.errorCode !== INVALID_PARAMETERS) return { result, membershipType: type, calls }
    const next = nextType(tried, typeFromHint(result.meta))
    if (next === null) return { result, membershipType: type, calls }
    type = next
  }
}

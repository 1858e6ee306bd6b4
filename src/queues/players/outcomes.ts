/**
 * What a Bungie failure means for a player-side message (the same for all four workers):
 * SystemDisabled pauses the queue (no retry burned), throttles and transient failures retry
 * through the delay tiers (the shared limiter has already slowed down for a throttle), and
 * anything else unexpected retries too, so a fault on our side ends in `.dead` with its reason
 * rather than silently dropping work. Answers that are a fact about the player (does not exist,
 * private) are handled by each worker before it gets here.
 */
import type { BungieFailure } from "../../lib/bungie/result.ts"
import { type Outcome, retry } from "../../lib/messaging/queue-worker.ts"

export function failureOutcome(failure: BungieFailure, what: string, system = "Destiny2"): Outcome {
  const code = failure.meta.errorCode === null ? "" : ` (${failure.meta.errorCode} ${failure.meta.errorStatus ?? ""})`.trimEnd()
  switch (failure.kind) {
    case "disabled":
      return { kind: "pause", reason: "SystemDisabled", system }
    case "throttled":
      return retry(`${what}: throttled${code}`)
    case "transient":
    case "badFormat":
    case "fatal":
      return retry(`${what}: ${failure.kind}: ${failure.reason}`.slice(0, 300))
    case "notFound":
    case "blocked":
      return retry(`${what}: ${failure.kind}${code}`)
  }
}

/** Bungie codes that say a player or account does not exist (1601) or an id out of range (8). */
export const DOES_NOT_EXIST_CODES: ReadonlySet<number> = new Set([1601, 8])
/** 1665 DestinyPrivacyRestriction: the player hides their activity history. */
export const PRIVACY_RESTRICTION = 1665

export function doesNotExist(failure: BungieFailure): boolean {
  return failure.meta.errorCode !== null && DOES_NOT_EXIST_CODES.has(failure.meta.errorCode)
}

export function isPrivacyRestriction(failure: BungieFailure): boolean {
  return failure.meta.errorCode === PRIVACY_RESTRICTION
}

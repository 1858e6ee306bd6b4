/**
 * The account signals nemesis reads from a Bungie profile (component 100): characters, owned
 * expansions and seasons, Guardian Ranks, cross-save platforms. A profile that cannot be read
 * leaves these unknown (null), which the account chance treats as no evidence.
 */
import type { DestinyProfileResponse } from "bungie-api-ts/destiny2"
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import type { BungieResultKind } from "../../lib/bungie/result.ts"

export interface ProfileSignals {
  characterCount: number | null
  versionsOwned: bigint | null
  seasonsOwned: number | null
  lifetimeHighestGuardianRank: number | null
  currentGuardianRank: number | null
  applicableMembershipTypes: number[]
}

export const UNKNOWN_PROFILE: ProfileSignals = {
  characterCount: null,
  versionsOwned: null,
  seasonsOwned: null,
  lifetimeHighestGuardianRank: null,
  currentGuardianRank: null,
  applicableMembershipTypes: [],
}

/** Component 100 of a profile response; a missing or malformed part stays unknown. */
export function profileSignalsFrom(response: DestinyProfileResponse): ProfileSignals {
  const data = response.profile?.data
  if (!data) return UNKNOWN_PROFILE
  const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null)
  const versions = num(data.versionsOwned)
  return {
    characterCount: Array.isArray(data.characterIds) ? data.characterIds.length : null,
    versionsOwned: versions === null ? null : BigInt(Math.trunc(versions)),
    seasonsOwned: Array.isArray(data.seasonHashes) ? data.seasonHashes.length : null,
    lifetimeHighestGuardianRank: num(data.lifetimeHighestGuardianRank),
    currentGuardianRank: num(data.currentGuardianRank),
    applicableMembershipTypes: Array.isArray(data.userInfo?.applicableMembershipTypes)
      ? data.userInfo.applicableMembershipTypes.filter((t): t is number => typeof t === "number")
      : [],
  }
}

export interface FetchedProfile {
  signals: ProfileSignals
  /** null when read; otherwise why not (the result kind, or "noMembershipType"). */
  failure: BungieResultKind | "noMembershipType" | null
}

/** One profile through the shared rate-limited client (bounded attempts, its backoff). */
export async function fetchProfileSignals(
  bungie: RateLimitedBungie,
  membershipType: number | null,
  membershipId: bigint,
): Promise<FetchedProfile> {
  // Type 0/null: the PGCR hid it and no player crawl has resolved it yet.
  if (!membershipType) return { signals: UNKNOWN_PROFILE, failure: "noMembershipType" }
  const result = await bungie.call((c) => c.getProfile(membershipType, membershipId, [100]), { maxAttempts: 4 })
  if (result.kind !== "ok") return { signals: UNKNOWN_PROFILE, failure: result.kind }
  return { signals: profileSignalsFrom(result.value), failure: null }
}

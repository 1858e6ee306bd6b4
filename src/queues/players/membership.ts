/**
 * Membership types and Bungie's hint for the right one. A Profile / Character / history / groups
 * request with the wrong type answers 18 InvalidParameters with the right type's enum name in
 * MessageData (`{"membershipType":"TigerSteam"}`, research/raidhub.md §5.2), so a wrong guess
 * costs exactly one extra call.
 */
import type { BungieMeta } from "../../lib/bungie/result.ts"

/** BungieMembershipType names as Bungie spells them in MessageData. */
export const MEMBERSHIP_TYPE_BY_NAME: Readonly<Record<string, number>> = {
  TigerXbox: 1,
  TigerPsn: 2,
  TigerSteam: 3,
  TigerBlizzard: 4,
  TigerStadia: 5,
  TigerEgs: 6,
}

/** Destiny platforms in the order we guess them when nothing is known (most players first). */
export const GUESS_ORDER: readonly number[] = [3, 2, 1, 6, 5]

/** Bungie's InvalidParameters code: the only answer whose hint we follow. */
export const INVALID_PARAMETERS = 18

export function isDestinyMembershipType(type: number | null | undefined): type is number {
  return typeof type === "number" && Number.isInteger(type) && type >= 1 && type <= 6
}

/** The membership type MessageData names (an enum name or a number), or null. */
export function typeFromHint(meta: Pick<BungieMeta, "messageData">): number | null {
  const raw = meta.messageData?.membershipType
  if (raw === undefined) return null
  const byName = MEMBERSHIP_TYPE_BY_NAME[raw]
  if (byName !== undefined) return byName
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  return isDestinyMembershipType(n) ? n : null
}

/** The type to try after `tried` failed with InvalidParameters: the hint if new, else the next guess. */
export function nextType(tried: ReadonlySet<number>, hint: number | null): number | null {
  if (hint !== null && !tried.has(hint)) return hint
  return GUESS_ORDER.find((t) => !tried.has(t)) ?? null
}

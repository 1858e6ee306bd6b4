/**
 * Which destinations an instance goes to (pure): every active rule of an active destination is
 * applied to the instance's players.
 *
 *   scope      player: the rule's membership id played; clan: a player of the rule's clan played
 *   privacy    a private player (core.player.is_private) never sets a rule off: their raids are
 *              not announced on their behalf, in their own name or their clan's
 *   gates      require_completed: the instance was completed; require_fresh: it was fresh
 *              (unknown freshness does not pass)
 *   raids      activity_raid_bitmap 0 = every raid, else bit activity_id (1..32) or bit 33 for
 *              Pantheon (activity 101); other activities never match a non-zero bitmap
 *
 * A destination set off by several rules (or players) gets one delivery naming all of them.
 */
import type { ChannelType, SubscriptionEvent } from "./event.ts"

export interface RuleRow {
  ruleId: string
  destinationId: string
  channelType: ChannelType
  scope: "player" | "clan"
  membershipId: string | null
  groupId: string | null
  requireFresh: boolean
  requireCompleted: boolean
  /** subscriptions.rule.activity_raid_bitmap as decimal text (a bigint column). */
  activityRaidBitmap: string
}

export interface DestinationMatch {
  destinationId: string
  channelType: ChannelType
  ruleIds: string[]
  /** Players that set a rule off, in the event's order. */
  membershipIds: string[]
}

/** Pantheon (activity 101) sits at bit 33 in the public API's convention. */
const PANTHEON_ACTIVITY_ID = 101
const PANTHEON_BIT = 33n

/** The bitmap bit of an activity, or null when no bitmap can select it. */
export function raidBitOf(activityId: number): bigint | null {
  if (activityId >= 1 && activityId <= 32) return 1n << BigInt(activityId)
  if (activityId === PANTHEON_ACTIVITY_ID) return 1n << PANTHEON_BIT
  return null
}

/** True when a rule's bitmap selects the activity (0 = every activity). */
export function bitmapSelects(bitmap: bigint, activityId: number): boolean {
  if (bitmap === 0n) return true
  const bit = raidBitOf(activityId)
  return bit !== null && (bitmap & bit) !== 0n
}

/** The bitmap selecting exactly these activities (subscription-onboard). */
export function bitmapOf(activityIds: readonly number[]): bigint {
  let bitmap = 0n
  for (const id of activityIds) {
    const bit = raidBitOf(id)
    if (bit === null) throw new Error(`activity ${id} cannot be selected by a raid bitmap (1..32 or 101)`)
    bitmap |= bit
  }
  return bitmap
}

export function matchRules(event: SubscriptionEvent, rules: readonly RuleRow[], privatePlayers: ReadonlySet<string>): DestinationMatch[] {
  const byDestination = new Map<string, { match: DestinationMatch; players: Set<string> }>()
  for (const rule of rules) {
    if (rule.requireCompleted && !event.completed) continue
    if (rule.requireFresh && event.fresh !== true) continue
    if (!bitmapSelects(BigInt(rule.activityRaidBitmap), event.activityId)) continue
    const triggering = event.players.filter((p) => {
      if (privatePlayers.has(p.membershipId)) return false
      if (rule.scope === "player") return p.membershipId === rule.membershipId
      return rule.groupId !== null && (p.groupIds ?? []).includes(rule.groupId)
    })
    if (triggering.length === 0) continue
    let entry = byDestination.get(rule.destinationId)
    if (!entry) {
      entry = {
        match: { destinationId: rule.destinationId, channelType: rule.channelType, ruleIds: [], membershipIds: [] },
        players: new Set(),
      }
      byDestination.set(rule.destinationId, entry)
    }
    entry.match.ruleIds.push(rule.ruleId)
    for (const p of triggering) entry.players.add(p.membershipId)
  }
  return [...byDestination.values()].map(({ match, players }) => ({
    ...match,
    membershipIds: event.players.filter((p) => players.has(p.membershipId)).map((p) => p.membershipId),
  }))
}

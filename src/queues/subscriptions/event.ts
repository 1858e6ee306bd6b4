/**
 * The messages of the three subscription stages (JSON, ids as decimal strings):
 *
 *   instance_participant_refresh  SubscriptionEvent   written by the store's outbox for every new
 *                                                     instance (instance-store-outbox.ts), or by
 *                                                     replay-subscription-instance
 *   subscription_match            SubscriptionEvent with each player's clans resolved (groupIds)
 *   subscription_delivery         SubscriptionDelivery: one rendered body for one destination
 *
 * Bodies arrive through wire-format.ts's exact JSON reader, which hands numbers over as their
 * source text: the decoders here turn them back into numbers where they are small (activity id,
 * counts) and keep ids as strings.
 */
import { type Decoded, parseId } from "../../lib/messaging/wire-format.ts"

export interface EventPlayer {
  membershipId: string
  membershipType: number | null
  completed: boolean
  isFirstClear: boolean
  sherpas: number
  /** Clans the player belongs to (group ids); absent before instance_participant_refresh, null = unknown. */
  groupIds?: string[] | null
}

export interface SubscriptionEvent {
  instanceId: string
  hash: string
  activityId: number
  completed: boolean
  fresh: boolean | null
  flawless: boolean | null
  playerCount: number
  dateStarted: string
  dateCompleted: string
  durationSeconds: number
  players: EventPlayer[]
  /**
   * Set by replay-subscription-instance: a replay is a new delivery (its own delivery ids), while
   * a redelivered copy of the same replay still posts once.
   */
  replayId?: string
}

export type ChannelType = "discord_webhook" | "http_callback"

export interface SubscriptionDelivery {
  /** `<instanceId>.<destinationId>`: the key of subscriptions.delivery. */
  deliveryId: string
  destinationId: string
  instanceId: string
  channelType: ChannelType
  /** The exact bytes to POST (a JSON document), kept as text so no number is reinterpreted. */
  body: string
}

/** The delivery id of an instance for a destination: one delivery per pair (and per replay). */
export function deliveryIdOf(instanceId: string, destinationId: string, replayId?: string): string {
  return replayId === undefined ? `${instanceId}.${destinationId}` : `${instanceId}.${destinationId}.${replayId}`
}

type Obj = Record<string, unknown>

export function decodeSubscriptionEvent(value: Obj): Decoded<SubscriptionEvent> {
  try {
    const players = value.players
    if (!Array.isArray(players)) return fail("players is not an array")
    return {
      ok: true,
      value: {
        instanceId: id(value, "instanceId"),
        hash: id(value, "hash"),
        activityId: int(value, "activityId"),
        completed: bool(value, "completed"),
        fresh: optBool(value, "fresh"),
        flawless: optBool(value, "flawless"),
        playerCount: int(value, "playerCount"),
        dateStarted: str(value, "dateStarted"),
        dateCompleted: str(value, "dateCompleted"),
        durationSeconds: int(value, "durationSeconds"),
        players: players.map((p, i) => decodePlayer(p, i)),
        ...(value.replayId === undefined ? {} : { replayId: replayIdOf(value.replayId) }),
      },
    }
  } catch (error) {
    return fail((error as Error).message)
  }
}

export function decodeSubscriptionDelivery(value: Obj): Decoded<SubscriptionDelivery> {
  try {
    const channelType = str(value, "channelType")
    if (channelType !== "discord_webhook" && channelType !== "http_callback") throw new Error(`unknown channelType ${channelType}`)
    return {
      ok: true,
      value: {
        deliveryId: str(value, "deliveryId"),
        destinationId: id(value, "destinationId"),
        instanceId: id(value, "instanceId"),
        channelType,
        body: str(value, "body"),
      },
    }
  } catch (error) {
    return fail((error as Error).message)
  }
}

function decodePlayer(p: unknown, index: number): EventPlayer {
  if (p === null || typeof p !== "object" || Array.isArray(p)) throw new Error(`players[${index}] is not an object`)
  const o = p as Obj
  const type = o.membershipType
  const out: EventPlayer = {
    membershipId: id(o, "membershipId"),
    membershipType: type === null || type === undefined ? null : int(o, "membershipType"),
    completed: bool(o, "completed"),
    isFirstClear: bool(o, "isFirstClear"),
    sherpas: int(o, "sherpas"),
  }
  if (o.groupIds === null) out.groupIds = null
  else if (Array.isArray(o.groupIds)) out.groupIds = o.groupIds.map((g, i) => checkedId(g, `groupIds[${i}]`))
  return out
}

function replayIdOf(raw: unknown): string {
  if (typeof raw !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(raw)) throw new Error("replayId is not a short token")
  return raw
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason: `not a subscription message: ${reason}` }
}

function checkedId(raw: unknown, what: string): string {
  if (typeof raw !== "string") throw new Error(`${what} is not an id`)
  const parsed = parseId(raw, what)
  if (!parsed.ok) throw new Error(parsed.reason)
  return parsed.value.toString()
}
const id = (o: Obj, key: string) => checkedId(o[key], key)
function str(o: Obj, key: string): string {
  const v = o[key]
  if (typeof v !== "string") throw new Error(`${key} is not a string`)
  return v
}
function int(o: Obj, key: string): number {
  const v = o[key]
  // Numbers arrive as their source text (wire-format.ts); a test may hand a real number.
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d{1,9}$/.test(v) ? Number(v) : Number.NaN
  if (!Number.isSafeInteger(n)) throw new Error(`${key} is not an integer`)
  return n
}
function bool(o: Obj, key: string): boolean {
  const v = o[key]
  if (typeof v !== "boolean") throw new Error(`${key} is not a boolean`)
  return v
}
function optBool(o: Obj, key: string): boolean | null {
  return o[key] === null || o[key] === undefined ? null : bool(o, key)
}

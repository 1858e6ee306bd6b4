import { describe, expect, test } from "bun:test"
import { parseJsonExact } from "../../lib/messaging/wire-format.ts"
import { decodeSubscriptionEvent, type SubscriptionEvent } from "./event.ts"
import { bitmapOf, bitmapSelects, matchRules, type RuleRow } from "./match-rules.ts"

const A = "4611686018500000001"
const B = "4611686018500000002"
const C = "4611686018500000003"
const CLAN = "4242424242"

function event(over: Partial<SubscriptionEvent> = {}): SubscriptionEvent {
  return {
    instanceId: "17000000002",
    hash: "2122313384",
    activityId: 9,
    completed: true,
    fresh: true,
    flawless: false,
    playerCount: 3,
    dateStarted: "2025-03-01T09:00:00Z",
    dateCompleted: "2025-03-01T10:00:00Z",
    durationSeconds: 3600,
    players: [
      { membershipId: A, membershipType: 3, completed: true, isFirstClear: true, sherpas: 0, groupIds: [CLAN] },
      { membershipId: B, membershipType: 3, completed: true, isFirstClear: false, sherpas: 1, groupIds: [] },
      { membershipId: C, membershipType: 3, completed: false, isFirstClear: false, sherpas: 0, groupIds: [CLAN] },
    ],
    ...over,
  }
}

let nextRule = 1
function rule(over: Partial<RuleRow>): RuleRow {
  return {
    ruleId: String(nextRule++),
    destinationId: "1",
    channelType: "discord_webhook",
    scope: "player",
    membershipId: null,
    groupId: null,
    requireFresh: false,
    requireCompleted: false,
    activityRaidBitmap: "0",
    ...over,
  }
}

describe("raid bitmap", () => {
  test("0 selects every activity; bit n selects raid n; bit 33 selects Pantheon (101)", () => {
    expect(bitmapSelects(0n, 9)).toBe(true)
    expect(bitmapSelects(0n, 102)).toBe(true)
    expect(bitmapSelects(1n << 9n, 9)).toBe(true)
    expect(bitmapSelects(1n << 9n, 8)).toBe(false)
    expect(bitmapSelects(1n << 33n, 101)).toBe(true)
    expect(bitmapSelects(1n << 33n, 33)).toBe(false)
    expect(bitmapSelects(1n << 33n, 102)).toBe(false)
    expect(bitmapOf([1, 9, 101])).toBe((1n << 1n) | (1n << 9n) | (1n << 33n))
    expect(() => bitmapOf([102])).toThrow()
  })
})

describe("matchRules", () => {
  test("a player rule fires for its player, a clan rule for members; one delivery per destination naming all", () => {
    const rules = [
      rule({ destinationId: "1", scope: "player", membershipId: B }),
      rule({ destinationId: "1", scope: "clan", groupId: CLAN }),
      rule({ destinationId: "2", scope: "player", membershipId: "999" }),
      rule({ destinationId: "3", channelType: "http_callback", scope: "clan", groupId: "777" }),
    ]
    const out = matchRules(event(), rules, new Set())
    expect(out).toEqual([
      { destinationId: "1", channelType: "discord_webhook", ruleIds: [rules[0]!.ruleId, rules[1]!.ruleId], membershipIds: [A, B, C] },
    ])
  })

  test("gates: require_completed, require_fresh (unknown freshness fails), raid bitmap", () => {
    const r = (over: Partial<RuleRow>) => rule({ scope: "player", membershipId: A, ...over })
    expect(matchRules(event({ completed: false }), [r({ requireCompleted: true })], new Set())).toEqual([])
    expect(matchRules(event({ completed: false }), [r({})], new Set())).toHaveLength(1)
    expect(matchRules(event({ fresh: false }), [r({ requireFresh: true })], new Set())).toEqual([])
    expect(matchRules(event({ fresh: null }), [r({ requireFresh: true })], new Set())).toEqual([])
    expect(matchRules(event(), [r({ requireFresh: true, requireCompleted: true })], new Set())).toHaveLength(1)
    expect(matchRules(event(), [r({ activityRaidBitmap: String(1n << 8n) })], new Set())).toEqual([])
    expect(matchRules(event(), [r({ activityRaidBitmap: String((1n << 8n) | (1n << 9n)) })], new Set())).toHaveLength(1)
  })

  test("a private player sets off neither their player rule nor their clan's", () => {
    const rules = [
      rule({ destinationId: "1", scope: "player", membershipId: A }),
      rule({ destinationId: "2", scope: "clan", groupId: CLAN }),
    ]
    const out = matchRules(event(), rules, new Set([A]))
    // C (same clan, public) still sets off the clan rule; A is not named.
    expect(out).toEqual([{ destinationId: "2", channelType: "discord_webhook", ruleIds: [rules[1]!.ruleId], membershipIds: [C] }])
    expect(matchRules(event(), rules, new Set([A, C]))).toEqual([])
  })

  test("an unknown clan (lookup failed) sets off no clan rule", () => {
    const e = event()
    for (const p of e.players) p.groupIds = null
    expect(matchRules(e, [rule({ scope: "clan", groupId: CLAN })], new Set())).toEqual([])
  })
})

describe("decodeSubscriptionEvent", () => {
  test("reads the outbox's JSON through the exact reader, ids kept beyond 2^53", () => {
    const text = JSON.stringify({ ...event(), players: event().players.map(({ groupIds: _, ...p }) => p) })
    const parsed = parseJsonExact(text)
    if (!parsed.ok) throw new Error(parsed.reason)
    const decoded = decodeSubscriptionEvent(parsed.value as Record<string, unknown>)
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    expect(decoded.value.activityId).toBe(9)
    expect(decoded.value.players[0]!.membershipId).toBe(A)
    expect(decoded.value.players[0]!.groupIds).toBeUndefined()
  })

  test("rejects a body that is not an event, saying why", () => {
    const decoded = decodeSubscriptionEvent({ instanceId: "1", players: "x" })
    expect(decoded).toEqual({ ok: false, reason: "not a subscription message: players is not an array" })
    const bad = decodeSubscriptionEvent({ ...event(), instanceId: 12 } as never)
    expect(bad.ok).toBe(false)
  })
})

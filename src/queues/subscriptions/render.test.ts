import { describe, expect, test } from "bun:test"
import type { SubscriptionEvent } from "./event.ts"
import { escapeMarkdown, formatDuration, renderCallback, renderDiscord } from "./render.ts"

const A = "4611686018500000001"
const B = "4611686018500000002"
const base: SubscriptionEvent = {
  instanceId: "17000000002",
  hash: "2122313384",
  activityId: 9,
  completed: true,
  fresh: true,
  flawless: true,
  playerCount: 2,
  dateStarted: "2025-03-01T09:00:00Z",
  dateCompleted: "2025-03-01T10:02:13Z",
  durationSeconds: 3733,
  players: [
    { membershipId: A, membershipType: 3, completed: true, isFirstClear: true, sherpas: 0, groupIds: ["42"] },
    { membershipId: B, membershipType: 3, completed: true, isFirstClear: false, sherpas: 1, groupIds: [] },
  ],
}
const match = { destinationId: "5", channelType: "discord_webhook" as const, ruleIds: ["8"], membershipIds: [A] }
const ctx = { activityName: "Vault of Glass", versionName: "Master", names: new Map([[A, "Ana_*#0001"]]), siteUrl: "https://raidhub.io" }

describe("renderDiscord", () => {
  test("one embed: title, link, subscribed player bold and first clear called out, roster tags, no mentions", () => {
    const body = JSON.parse(renderDiscord(base, match, ctx))
    expect(body.allowed_mentions).toEqual({ parse: [] })
    const [embed] = body.embeds
    expect(embed.title).toBe("Vault of Glass (Master): Flawless Clear")
    expect(embed.url).toBe("https://raidhub.io/pgcr/17000000002")
    expect(embed.description).toBe("Ana\\_\\*\\#0001 cleared Vault of Glass.\nFirst clear for Ana\\_\\*\\#0001!")
    expect(embed.fields[0].value).toBe(`**Ana\\_\\*\\#0001** (first clear)\n${B} (sherpa ×1)`)
    expect(embed.fields[1]).toEqual({ name: "Duration", value: "1h 02m 13s", inline: true })
    expect(embed.timestamp).toBe("2025-03-01T10:02:13.000Z")
  })

  test("a huge fireteam stays within Discord's 1024-character field limit", () => {
    const players = Array.from({ length: 100 }, (_, i) => ({
      membershipId: String(4611686018500000100n + BigInt(i)),
      membershipType: 3,
      completed: false,
      isFirstClear: false,
      sherpas: 0,
    }))
    const body = JSON.parse(renderDiscord({ ...base, players, playerCount: 100 }, match, ctx))
    const roster: string = body.embeds[0].fields[0].value
    expect(roster.length).toBeLessThanOrEqual(1024)
    expect(roster).toMatch(/… and \d+ more$/)
  })

  test("a subscribed player who left before the end is said to have played, not cleared", () => {
    const players = base.players.map((p) => (p.membershipId === A ? { ...p, completed: false, isFirstClear: false } : p))
    const body = JSON.parse(renderDiscord({ ...base, players }, match, ctx))
    expect(body.embeds[0].description).toBe("Ana\\_\\*\\#0001 played Vault of Glass.")
  })

  test("an attempt is titled as one", () => {
    const body = JSON.parse(renderDiscord({ ...base, completed: false, flawless: false }, match, ctx))
    expect(body.embeds[0].title).toBe("Vault of Glass (Master): Attempt")
  })
})

describe("renderCallback", () => {
  test("the instance, every player with matched flags and clans, the rules and the delivery id", () => {
    const body = JSON.parse(renderCallback(base, { ...match, channelType: "http_callback" }, ctx, "17000000002.5"))
    expect(body).toMatchObject({ type: "instance", deliveryId: "17000000002.5", destinationId: "5", ruleIds: ["8"] })
    expect(body.instance).toMatchObject({
      instanceId: "17000000002",
      activityId: 9,
      completed: true,
      flawless: true,
      durationSeconds: 3733,
    })
    expect(
      body.players.map((p: { membershipId: string; matched: boolean; displayName: string | null }) => [
        p.membershipId,
        p.matched,
        p.displayName,
      ]),
    ).toEqual([
      [A, true, "Ana_*#0001"],
      [B, false, null],
    ])
  })
})

test("formatDuration and escapeMarkdown", () => {
  expect(formatDuration(65)).toBe("1m 05s")
  expect(formatDuration(3600)).toBe("1h 00m 00s")
  expect(escapeMarkdown("a_b*c`d@e")).toBe("a\\_b\\*c\\`d\\@e")
})

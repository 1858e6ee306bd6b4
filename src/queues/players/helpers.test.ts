import { describe, expect, test } from "bun:test"
import type { BungieClient } from "../../lib/bungie/client.ts"
import type { BungieMeta } from "../../lib/bungie/result.ts"
import { InFlight, RecentKeys } from "./dedupe.ts"
import { nextType, typeFromHint } from "./membership.ts"
import { failureOutcome } from "./outcomes.ts"
import { readGroup, readHistoryPage, readMemberClan, readProfile, readRosterPage } from "./readers.ts"
import { callWithMembershipType, type PlayerBungie } from "./resolve-type.ts"

const meta = (errorCode: number | null, messageData?: Record<string, string>): BungieMeta => ({
  httpStatus: errorCode === null ? 200 : 400,
  errorCode,
  errorStatus: null,
  attempts: 1,
  latencyMs: 1,
  ...(messageData ? { messageData } : {}),
})

describe("membership type hint", () => {
  test("enum names and numbers are read; anything else is no hint", () => {
    expect(typeFromHint({ messageData: { membershipType: "TigerSteam" } })).toBe(3)
    expect(typeFromHint({ messageData: { membershipType: "TigerEgs" } })).toBe(6)
    expect(typeFromHint({ messageData: { membershipType: "2" } })).toBe(2)
    expect(typeFromHint({ messageData: { membershipType: "254" } })).toBeNull()
    expect(typeFromHint({ messageData: { other: "x" } })).toBeNull()
    expect(typeFromHint({})).toBeNull()
  })

  test("the next type is the hint when untried, else the next guess, else none", () => {
    expect(nextType(new Set([3]), 1)).toBe(1)
    expect(nextType(new Set([3]), 3)).toBe(2)
    expect(nextType(new Set([3, 2, 1, 6, 5]), null)).toBeNull()
  })
})

/** A fake rate-limited client answering 18 with a hint until the right type is asked. */
function fakeBungie(rightType: number, hint: boolean): { bungie: PlayerBungie; asked: number[] } {
  const asked: number[] = []
  const client = {
    getProfile: async (type: number) => {
      asked.push(type)
      if (type === rightType) return { kind: "ok", value: { type }, meta: meta(1) }
      return { kind: "fatal", reason: "18", meta: meta(18, hint ? { membershipType: `${rightType}` } : undefined) }
    },
  } as unknown as BungieClient
  return { bungie: { call: (request) => request(client) as never }, asked }
}

describe("callWithMembershipType", () => {
  test("the known type is asked first: one call", async () => {
    const { bungie, asked } = fakeBungie(2, true)
    const r = await callWithMembershipType(bungie, 2, (c, t) => c.getProfile(t, 1n, [100]))
    expect([r.result.kind, r.membershipType, r.calls, asked]).toEqual(["ok", 2, 1, [2]])
  })

  test("a wrong type costs exactly one extra call with the hint", async () => {
    const { bungie, asked } = fakeBungie(6, true)
    const r = await callWithMembershipType(bungie, 1, (c, t) => c.getProfile(t, 1n, [100]))
    expect([r.result.kind, r.membershipType, asked]).toEqual(["ok", 6, [1, 6]])
  })

  test("without a hint every platform is tried once, then the failure is returned", async () => {
    const { bungie, asked } = fakeBungie(4, false)
    const r = await callWithMembershipType(bungie, null, (c, t) => c.getProfile(t, 1n, [100]))
    expect(r.result.kind).toBe("fatal")
    expect(asked).toEqual([3, 2, 1, 6, 5])
  })
})

describe("failure outcomes", () => {
  test("disabled pauses, throttles and transients retry", () => {
    expect(failureOutcome({ kind: "disabled", meta: meta(5) }, "x", "Groups")).toEqual({
      kind: "pause",
      reason: "SystemDisabled",
      system: "Groups",
    })
    expect(failureOutcome({ kind: "throttled", waitMs: 1, waitHinted: false, meta: meta(51) }, "x").kind).toBe("retry")
    expect(failureOutcome({ kind: "transient", reason: "HTTP 500", meta: meta(null) }, "x").kind).toBe("retry")
  })
})

describe("readers", () => {
  const profile = {
    profile: {
      data: {
        userInfo: { membershipType: 3, displayName: "Ka", bungieGlobalDisplayName: "Kazor", bungieGlobalDisplayNameCode: 42 },
        dateLastPlayed: "2026-11-30T10:00:00Z",
        characterIds: ["2305843009300000001", "2305843009300000002", "2305843009300000003"],
      },
    },
    characters: {
      data: {
        "2305843009300000001": {
          characterId: "2305843009300000001",
          dateLastPlayed: "2026-11-20T00:00:00Z",
          emblemPath: "/old.jpg",
          emblemHash: 1,
          classHash: 7,
        },
        "2305843009300000002": {
          characterId: "2305843009300000002",
          dateLastPlayed: "2026-11-30T10:00:00Z",
          emblemPath: "/new.jpg",
          emblemHash: 2,
          classHash: 8,
        },
      },
    },
  }

  test("profile: names, padded code, icon of the most recently played character, hidden characters kept", () => {
    const f = readProfile(profile)
    expect(f.bungieGlobalDisplayNameCode).toBe("0042")
    expect(f.iconPath).toBe("/new.jpg")
    expect(f.lastPlayedMs).toBe(Date.parse("2026-11-30T10:00:00Z"))
    expect(f.characters.map((c) => c.characterId)).toEqual(["2305843009300000002", "2305843009300000001", "2305843009300000003"])
    expect(readProfile({}).characters).toEqual([])
  })

  test("history page: ids in order, earliest and latest period; {} past the last page", () => {
    const page = readHistoryPage({
      activities: [
        { period: "2026-11-02T00:00:00Z", activityDetails: { instanceId: "16000000002" } },
        { period: "2026-11-01T00:00:00Z", activityDetails: { instanceId: "16000000001" } },
        { period: "2026-11-01T00:00:00Z", activityDetails: {} },
      ],
    })
    expect(page.instanceIds).toEqual(["16000000002", "16000000001"])
    expect(page.earliestMs).toBe(Date.parse("2026-11-01T00:00:00Z"))
    expect(readHistoryPage({}).instanceIds).toEqual([])
  })

  test("group, roster page and a member's clan", () => {
    expect(
      readGroup({
        detail: { groupId: "3100007", name: "Iron", motto: "m", clanInfo: { clanCallsign: "IR", clanBannerData: { decalId: 1 } } },
      }),
    ).toEqual({ groupId: "3100007", name: "Iron", motto: "m", callSign: "IR", bannerData: { decalId: 1 } })
    expect(readGroup({})).toBeNull()
    const roster = readRosterPage({
      results: [{ destinyUserInfo: { membershipId: "4611686018400000001", membershipType: 2 } }, {}],
      hasMore: true,
    })
    expect(roster).toEqual({ members: [{ membershipId: "4611686018400000001", membershipType: 2 }], hasMore: true })
    expect(readMemberClan({ results: [{ group: { groupId: "3100007", groupType: 1 } }] })).toBe("3100007")
    expect(readMemberClan({ results: [] })).toBeNull()
  })
})

describe("dedupe", () => {
  test("a duplicate in flight waits for the running one and does no work", async () => {
    const f = new InFlight<string>()
    let runs = 0
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const first = f.run("a", async () => {
      runs++
      await gate
      return "done"
    })
    const second = f.run("a", async () => {
      runs++
      return "again"
    })
    release()
    expect(await first).toBe("done")
    expect(await second).toBeNull()
    expect(runs).toBe(1)
    expect(await f.run("a", async () => "later")).toBe("later")
  })

  test("recent keys: a repeat within the TTL is refused, bounded in size, forgettable", () => {
    let t = 0
    const r = new RecentKeys(1_000, 2, () => t)
    expect(r.mark("a")).toBe(true)
    expect(r.mark("a")).toBe(false)
    t = 1_000
    expect(r.mark("a")).toBe(true)
    r.mark("b")
    r.mark("c") // evicts a
    expect(r.mark("a")).toBe(true)
    r.forget("a")
    expect(r.mark("a")).toBe(true)
  })
})

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { PlayerTruth } from "./player-facts.ts"
import { type SimHandle, startSim } from "./server.ts"
import { getJson } from "./test-helpers.ts"

const T0 = Date.parse("2026-11-20T12:00:00Z")
const TYPE_NAMES: Record<number, string> = { 1: "TigerXbox", 2: "TigerPsn", 3: "TigerSteam", 6: "TigerEgs" }

describe("player-side endpoints against the truth", () => {
  let clock = T0
  let sim: SimHandle
  const api = (path: string) => getJson(`${sim.url}/Platform${path}`)
  const history = (p: PlayerTruth, characterId: string, page: number, type = p.membershipType) =>
    api(`/Destiny2/${type}/Account/${p.membershipId}/Character/${characterId}/Stats/Activities/?mode=4&count=250&page=${page}`)

  beforeAll(async () => {
    sim = await startSim({ scenario: "calm", seed: "players", latency: 0, throttle: { enabled: false }, now: () => clock })
  })
  afterAll(() => sim.stop())

  test("the profile says what the truth says: name, code, type, last played, characters", async () => {
    const players = sim.truth.findPlayers({ minInstances: 3, private: false, limit: 10 })
    expect(players.length).toBe(10)
    for (const p of players) {
      const r = await api(`/Destiny2/${p.membershipType}/Profile/${p.membershipId}/?components=100,200`)
      expect(r.status).toBe(200)
      const profile = r.json.Response.profile.data
      expect(profile.userInfo.displayName).toBe(p.displayName)
      expect(profile.userInfo.bungieGlobalDisplayName).toBe(p.bungieGlobalDisplayName)
      expect(profile.userInfo.bungieGlobalDisplayNameCode).toBe(p.bungieGlobalDisplayNameCode)
      expect(profile.userInfo.membershipType).toBe(p.membershipType)
      expect(profile.dateLastPlayed).toBe(p.lastPlayed)
      expect(profile.characterIds).toEqual(p.characters.map((c) => c.characterId))
      for (const c of p.characters) {
        const character = r.json.Response.characters.data[c.characterId]
        expect(character.classHash).toBe(c.classHash)
        expect(character.emblemHash).toBe(c.emblemHash)
        expect(character.dateLastPlayed).toBe(c.dateLastPlayed)
        expect(character.minutesPlayedTotal).toBe(String(c.minutesPlayedTotal))
      }
      // The player's newest raid ended no later than the profile's last played.
      const newest = sim.truth.id(p.raidInstanceIds[0]!)
      expect(Date.parse(p.lastPlayed!)).toBeGreaterThanOrEqual(Math.floor(newest.createdAt! / 1000) * 1000 - 60_000)
    }
  })

  test("a wrong membership type answers 18 with the right type's name; following the hint takes one call", async () => {
    const p = sim.truth.findPlayers({ private: false, limit: 30 }).find((x) => x.membershipType !== 3)!
    for (const path of [
      `/Profile/${p.membershipId}/?components=100,200`,
      `/Profile/${p.membershipId}/Character/${p.characters[0]!.characterId}/?components=200`,
      `/Account/${p.membershipId}/Character/${p.characters[0]!.characterId}/Stats/Activities/?mode=4&count=250&page=0`,
    ]) {
      const wrong = await api(`/Destiny2/3${path}`)
      expect(wrong.status).toBe(400)
      expect(wrong.json.ErrorCode).toBe(18)
      expect(wrong.json.ErrorStatus).toBe("InvalidParameters")
      expect(wrong.json.MessageData).toEqual({ membershipType: TYPE_NAMES[p.membershipType]! })
      const hinted = Number(Object.entries(TYPE_NAMES).find(([, name]) => name === wrong.json.MessageData.membershipType)![0])
      expect((await api(`/Destiny2/${hinted}${path}`)).status).toBe(200)
    }
  })

  test("activity history lists exactly the player's raid instances, each an existing PGCR with that character", async () => {
    const p = sim.truth.findPlayers({ minInstances: 8, private: false, limit: 1 })[0]!
    const listed: string[] = []
    for (const c of p.characters) {
      const r = await history(p, c.characterId, 0)
      for (const a of r.json.Response.activities ?? []) {
        listed.push(a.activityDetails.instanceId)
        const body = (await api(`/Destiny2/Stats/PostGameCarnageReport/${a.activityDetails.instanceId}/`)).json.Response
        expect(body.entries.some((e: any) => e.characterId === c.characterId)).toBe(true)
        expect(body.period).toBe(a.period)
      }
    }
    expect(new Set(listed)).toEqual(new Set(p.raidInstanceIds))
  })

  test("a regular's main character pages past 250 instances: page 0 full, page 1 the rest, then {}", async () => {
    const regular = sim.truth.findPlayers({ regular: true, limit: 1 })[0]!
    expect(regular.raidInstanceIds.length).toBeGreaterThan(400)
    const main = regular.characters[0]!.characterId
    const pages: any[][] = []
    for (let page = 0; ; page++) {
      const r = await history(regular, main, page)
      expect(r.status).toBe(200)
      if (!r.json.Response.activities) {
        expect(r.json.Response).toEqual({})
        break
      }
      pages.push(r.json.Response.activities)
    }
    expect(pages.length).toBe(2)
    expect(pages[0]!.length).toBe(250)
    const ids = pages.flat().map((a) => a.activityDetails.instanceId)
    expect(new Set(ids).size).toBe(ids.length)
    // Newest first across pages.
    const ends = pages.flat().map((a) => Date.parse(a.period))
    expect(ids.map(BigInt)).toEqual(ids.map(BigInt).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)))
    expect(ends.length).toBe(ids.length)
    // Every listed id is one of the regular's instances in the truth.
    const all = new Set(regular.raidInstanceIds)
    expect(ids.every((id) => all.has(id))).toBe(true)
  })

  test("private histories answer 1665 while the profile stays readable", async () => {
    const p = sim.truth.findPlayers({ private: true, limit: 1 })[0]!
    const r = await history(p, p.characters[0]!.characterId, 0)
    expect(r.status).toBe(403)
    expect(r.json.ErrorCode).toBe(1665)
    expect(r.json.ErrorStatus).toBe("DestinyPrivacyRestriction")
    expect((await api(`/Destiny2/${p.membershipType}/Profile/${p.membershipId}/?components=100`)).status).toBe(200)
  })

  test("a full clan of 100 pages its roster 50 at a time with hasMore", async () => {
    const clan = sim.truth.findClans({ minMembers: 100, limit: 1 })[0]!
    expect(clan.members.length).toBe(100)
    const detail = await api(`/GroupV2/${clan.groupId}/`)
    expect(detail.json.Response.detail.memberCount).toBe(100)
    expect(detail.json.Response.detail.name).toBe(clan.name)
    expect(detail.json.Response.detail.motto).toBe(clan.motto)
    expect(detail.json.Response.detail.clanInfo.clanCallsign).toBe(clan.callSign)
    const roster: string[] = []
    const more: boolean[] = []
    for (let page = 1; page <= 3; page++) {
      const r = (await api(`/GroupV2/${clan.groupId}/Members/?currentpage=${page}`)).json.Response
      expect(r.totalResults).toBe(100)
      more.push(r.hasMore)
      roster.push(...r.results.map((m: any) => m.destinyUserInfo.membershipId))
      if (page < 3) expect(r.results.length).toBe(50)
      else expect(r.results.length).toBe(0)
    }
    expect(more).toEqual([true, false, false])
    expect(roster).toEqual(clan.members)
    const member = sim.truth.player(clan.members[7]!)!
    expect(member.groupId).toBe(clan.groupId)
    const groups = (await api(`/GroupV2/User/${member.membershipType}/${member.membershipId}/0/1/`)).json.Response
    expect(groups.results[0].group.groupId).toBe(clan.groupId)
  })

  test("deleted clans answer 686 GroupNotFound; their members are clanless; a run-time deletion applies at once", async () => {
    const gone = sim.truth.findClans({ deleted: true, limit: 1 })[0]!
    for (const path of [`/GroupV2/${gone.groupId}/`, `/GroupV2/${gone.groupId}/Members/?currentpage=1`]) {
      const r = await api(path)
      expect(r.status).toBe(404)
      expect(r.json.ErrorCode).toBe(686)
      expect(r.json.ErrorStatus).toBe("GroupNotFound")
    }
    expect(gone.members).toEqual([])
    const former = sim.truth.player(gone.formerMembers[0]!)!
    expect(former.groupId).toBeNull()
    expect((await api(`/GroupV2/User/${former.membershipType}/${former.membershipId}/0/1/`)).json.Response.results).toEqual([])

    const live = sim.truth.findClans({ deleted: false, minMembers: 20, limit: 1 })[0]!
    expect((await api(`/GroupV2/${live.groupId}/`)).status).toBe(200)
    sim.controls.deleteGroup(live.groupId)
    expect((await api(`/GroupV2/${live.groupId}/`)).json.ErrorCode).toBe(686)
    expect(sim.truth.clan(live.groupId)!.deleted).toBe(true)
    sim.controls.restoreGroup(live.groupId)
    expect((await api(`/GroupV2/${live.groupId}/Members/?currentpage=1`)).json.Response.totalResults).toBe(live.members.length)
  })

  test("an account created later answers 1601 until it exists, then plays", async () => {
    const future = sim.truth.findPlayers({ exists: false, limit: 1 })[0]!
    expect(future.exists).toBe(false)
    const path = `/Destiny2/${future.membershipType}/Profile/${future.membershipId}/?components=100`
    expect((await api(path)).json.ErrorCode).toBe(1601)
    clock = Date.parse(future.accountCreated) + 1_000
    expect((await api(path)).status).toBe(200)
    expect(sim.truth.player(future.membershipId)!.exists).toBe(true)
    const memberships = await api(`/User/GetMembershipsById/${future.membershipId}/-1/`)
    expect(memberships.json.Response.bungieNetUser.firstAccess).toBe(future.accountCreated)
    expect(memberships.json.Response.destinyMemberships[0].membershipId).toBe(future.membershipId)
  })

  test("truth over HTTP: /__sim/truth/player, /players, /clan", async () => {
    const p = sim.truth.findPlayers({ limit: 1, private: false, minInstances: 1 })[0]!
    const one = await getJson(`${sim.url}/__sim/truth/player?membershipId=${p.membershipId}`, {})
    expect(one.json.membershipId).toBe(p.membershipId)
    expect(one.json.raidInstanceIds).toEqual(sim.truth.player(p.membershipId)!.raidInstanceIds)
    const privates = await getJson(`${sim.url}/__sim/truth/players?private=true&limit=3`, {})
    expect(privates.json.length).toBe(3)
    expect(privates.json.every((x: PlayerTruth) => x.isPrivate)).toBe(true)
    const clan = await getJson(`${sim.url}/__sim/truth/clan?groupId=${sim.truth.findClans({ limit: 1 })[0]!.groupId}`, {})
    expect(clan.json.members.length).toBe(100)
    expect((await getJson(`${sim.url}/__sim/truth/player?membershipId=1`, {})).status).toBe(404)
  })
})

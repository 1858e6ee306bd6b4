import { Database } from "bun:sqlite"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type SimHandle, startSim } from "./server.ts"
import { getJson } from "./test-helpers.ts"

const T0 = Date.parse("2026-11-20T12:00:00Z")
// A fixed clock: the same world (ids, players, clans) on every run.
const quiet = { scenario: "calm" as const, latency: 0 as const, throttle: { enabled: false }, world: { incompleteRate: 0 }, now: () => T0 }

describe("endpoints consistent with PGCR players", () => {
  let sim: SimHandle
  let pgcr: any
  beforeAll(async () => {
    sim = await startSim({ ...quiet, seed: "endpoints", players: { privateShare: 0, unknownShare: 0 } })
    const start = BigInt(sim.truth.frontier().startId)
    const raid = sim.truth.range(start - 3_000n, start - 1_000n).find((t) => t.isRaid && t.state === "published")!
    pgcr = (await getJson(`${sim.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${raid.id}/`)).json.Response
  })
  afterAll(() => sim.stop())

  const publicEntry = () => pgcr.entries.find((e: any) => e.player.destinyUserInfo.membershipType !== 0)

  test("Profile (100, 200) and Character agree with the PGCR entry", async () => {
    const e = publicEntry()
    const info = e.player.destinyUserInfo
    const r = await getJson(`${sim.url}/Platform/Destiny2/${info.membershipType}/Profile/${info.membershipId}/?components=100,200`)
    expect(r.status).toBe(200)
    const profile = r.json.Response.profile.data
    expect(profile.userInfo.membershipId).toBe(info.membershipId)
    expect(profile.userInfo.bungieGlobalDisplayName).toBe(info.bungieGlobalDisplayName)
    expect(profile.userInfo.bungieGlobalDisplayNameCode).toBe(info.bungieGlobalDisplayNameCode)
    expect(profile.characterIds).toContain(e.characterId)
    const character = r.json.Response.characters.data[e.characterId]
    expect(character.classHash).toBe(e.player.classHash)
    expect(character.emblemHash).toBe(e.player.emblemHash)
    const c = await getJson(
      `${sim.url}/Platform/Destiny2/${info.membershipType}/Profile/${info.membershipId}/Character/${e.characterId}/?components=200`,
    )
    expect(c.json.Response.character.data.characterId).toBe(e.characterId)
  })

  test("activity history (mode 4, 250 per page) lists the instance with the same values", async () => {
    const e = publicEntry()
    const info = e.player.destinyUserInfo
    const base = `${sim.url}/Platform/Destiny2/${info.membershipType}/Account/${info.membershipId}/Character/${e.characterId}/Stats/Activities/`
    const r = await getJson(`${base}?mode=4&count=250&page=0`)
    expect(r.status).toBe(200)
    const found = r.json.Response.activities.find((a: any) => a.activityDetails.instanceId === pgcr.activityDetails.instanceId)
    expect(found).toBeDefined()
    expect(found.period).toBe(pgcr.period)
    expect(found.values.kills.basic.value).toBe(e.values.kills.basic.value)
    expect(r.text).toMatch(/"value":\d+\.0/)
    const past = await getJson(`${base}?mode=4&count=250&page=5`)
    expect(past.json.Response).toEqual({})
  })

  test("wrong membership type → 18 InvalidParameters with the right type as a hint; LinkedProfiles resolves", async () => {
    const info = publicEntry().player.destinyUserInfo
    const wrong = info.membershipType === 3 ? 2 : 3
    const r = await getJson(`${sim.url}/Platform/Destiny2/${wrong}/Profile/${info.membershipId}/?components=100`)
    expect(r.status).toBe(400)
    expect(r.json.ErrorCode).toBe(18)
    expect(r.json.ErrorStatus).toBe("InvalidParameters")
    const names: Record<number, string> = { 1: "TigerXbox", 2: "TigerPsn", 3: "TigerSteam", 6: "TigerEgs" }
    expect(r.json.MessageData.membershipType).toBe(names[info.membershipType])
    const linked = await getJson(`${sim.url}/Platform/Destiny2/-1/Profile/${info.membershipId}/LinkedProfiles/`)
    expect(linked.json.Response.profiles[0].membershipType).toBe(info.membershipType)
  })

  test("GroupsForMember, group details and members agree", async () => {
    let checked = 0
    for (const e of pgcr.entries) {
      const info = e.player.destinyUserInfo
      const type = (await getJson(`${sim.url}/Platform/Destiny2/-1/Profile/${info.membershipId}/LinkedProfiles/`)).json.Response.profiles[0]
        .membershipType
      const g = await getJson(`${sim.url}/Platform/GroupV2/User/${type}/${info.membershipId}/0/1/`)
      expect(g.status).toBe(200)
      if (g.json.Response.results.length === 0) continue
      const groupId = g.json.Response.results[0].group.groupId
      const detail = await getJson(`${sim.url}/Platform/GroupV2/${groupId}/`)
      expect(detail.json.Response.detail.groupId).toBe(groupId)
      const members = await getJson(`${sim.url}/Platform/GroupV2/${groupId}/Members/?currentpage=1`)
      expect(members.json.Response.results.map((m: any) => m.destinyUserInfo.membershipId)).toContain(info.membershipId)
      expect(members.json.Response.totalResults).toBe(detail.json.Response.detail.memberCount)
      checked++
    }
    expect(checked).toBeGreaterThan(0)
    expect((await getJson(`${sim.url}/Platform/GroupV2/1/`)).json.ErrorCode).toBe(686)
  })

  test("Manifest points at a zipped SQLite with the raid and weapon definitions", async () => {
    const m = await getJson(`${sim.url}/Platform/Destiny2/Manifest/`)
    const zip = new Uint8Array(await (await fetch(sim.url + m.json.Response.mobileWorldContentPaths.en)).arrayBuffer())
    const view = new DataView(zip.buffer)
    expect(view.getUint32(0, true)).toBe(0x04034b50)
    const nameLength = view.getUint16(26, true)
    const size = view.getUint32(18, true)
    const sqlite = zip.slice(30 + nameLength, 30 + nameLength + size)
    const dir = mkdtempSync(join(tmpdir(), "sim-manifest-"))
    try {
      writeFileSync(join(dir, "world.sqlite"), sqlite)
      const db = new Database(join(dir, "world.sqlite"), { readonly: true })
      const hash = pgcr.activityDetails.directorActivityHash as number
      const row = db.query("SELECT json FROM DestinyActivityDefinition WHERE id = ?").get(hash | 0) as { json: string }
      expect(JSON.parse(row.json).hash).toBe(hash)
      const weapon = pgcr.entries.flatMap((e: any) => e.extended?.weapons ?? [])[0]
      if (weapon) {
        const w = db.query("SELECT json FROM DestinyInventoryItemDefinition WHERE id = ?").get(weapon.referenceId | 0) as { json: string }
        expect(JSON.parse(w.json).itemType).toBe(3)
      }
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("private and unknown accounts", () => {
  test("1665 for private histories, 1601 for unknown accounts", async () => {
    const priv = await startSim({ ...quiet, seed: "privacy", players: { privateShare: 1, unknownShare: 0 } })
    const gone = await startSim({ ...quiet, seed: "privacy", players: { privateShare: 0, unknownShare: 1 } })
    try {
      const start = BigInt(priv.truth.frontier().startId)
      const raid = priv.truth.range(start - 3_000n, start - 1_000n).find((t) => t.isRaid && t.state === "published")!
      const body = (await getJson(`${priv.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${raid.id}/`)).json.Response
      // Regulars are never private.
      const e = body.entries.find(
        (x: any) => x.player.destinyUserInfo.membershipType !== 0 && !priv.truth.player(x.player.destinyUserInfo.membershipId)!.isRegular,
      )
      const info = e.player.destinyUserInfo
      const h = await getJson(
        `${priv.url}/Platform/Destiny2/${info.membershipType}/Account/${info.membershipId}/Character/${e.characterId}/Stats/Activities/?mode=4&count=250&page=0`,
      )
      expect(h.status).toBe(403)
      expect(h.json.ErrorCode).toBe(1665)
      const p = await getJson(`${gone.url}/Platform/Destiny2/${info.membershipType}/Profile/${info.membershipId}/?components=100`)
      expect(p.status).toBe(404)
      expect(p.json.ErrorCode).toBe(1601)
      const never = await getJson(`${gone.url}/Platform/Destiny2/3/Profile/4611686018999999999/?components=100`)
      expect(never.json.ErrorCode).toBe(1601)
    } finally {
      await Promise.all([priv.stop(), gone.stop()])
    }
  })
})

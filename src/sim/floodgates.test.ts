import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type SimHandle, startSim } from "./server.ts"
import type { TruthEntry } from "./state.ts"
import { getJson } from "./test-helpers.ts"

const pgcr = (sim: SimHandle, id: string) => getJson(`${sim.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`)
const T0 = Date.parse("2026-11-20T12:00:00Z")
const quiet = {
  scenario: "calm" as const,
  latency: 0 as const,
  throttle: { enabled: false },
  world: { incompleteRate: 0, batchChance: 0, raidShare: 0.2 },
}

describe("floodgates: a withheld window released in waves", () => {
  let clock = T0
  let sim: SimHandle
  let closedHead: bigint
  let openedHead: bigint
  let window: TruthEntry[]
  beforeAll(async () => {
    sim = await startSim({ ...quiet, seed: "gates", now: () => clock })
  })
  afterAll(() => sim.stop())

  test("closing at the head withholds only raids created from then on", async () => {
    closedHead = BigInt(sim.truth.frontier().nextId)
    sim.controls.closeFloodgates({ fromId: "head" })
    clock += 300_000 // five minutes of a race
    openedHead = BigInt(sim.truth.frontier().nextId)
    window = sim.truth.range(closedHead, openedHead).filter((t) => t.state === "published")
    const raids = window.filter((t) => t.isRaid)
    expect(raids.length).toBeGreaterThan(500)
    for (const t of raids) expect(t.floodgated).toBe(true)
    const before = sim.truth.range(closedHead - 2_000n, closedHead).filter((t) => t.isRaid && t.state === "published")
    expect(before.every((t) => !t.floodgated && t.withheld === null)).toBe(true)
    const blocked = await pgcr(sim, raids[0]!.id)
    expect(blocked.status).toBe(403)
    expect(blocked.json.ErrorCode).toBe(12)
    expect(blocked.json.ErrorStatus).toBe("InsufficientPrivileges")
    expect((await pgcr(sim, before[0]!.id)).status).toBe(200)
    const other = window.find((t) => t.kind === "other")!
    expect((await pgcr(sim, other.id)).status).toBe(200)
    expect(sim.truth.id(raids[0]!.id).withheld).toEqual({ since: raids[0]!.publishedAt!, releasedAt: null })
  })

  test("opening releases them oldest first in 5 waves over 3 minutes; the truth has every release time", async () => {
    const openedAt = clock
    sim.controls.openFloodgates({ waves: 5, durationMs: 180_000 })
    const episode = sim.truth.floodgates().at(-1)!
    expect(episode.openedAt).toBe(openedAt)
    expect(episode.fromId).toBe(String(closedHead))
    expect(episode.waves.map((w) => w.at)).toEqual([0, 45_000, 90_000, 135_000, 180_000].map((d) => openedAt + d))
    // Raids created after the opening were never withheld.
    clock += 1_000
    const later = sim.truth.range(openedHead, BigInt(sim.truth.frontier().nextId)).filter((t) => t.isRaid && t.state === "published")
    expect(later.every((t) => t.withheld === null && !t.floodgated)).toBe(true)

    const raids = window.filter((t) => t.isRaid).map((t) => sim.truth.id(t.id))
    const releases = raids.map((t) => t.withheld!.releasedAt!)
    expect(releases).toEqual([...releases].sort((a, b) => a - b))
    expect(new Set(releases).size).toBe(5)
    // Walk the clock through the waves: each id answers 12 until its wave, 200 from it on.
    for (const wave of episode.waves) {
      clock = wave.at - 1
      const pending = raids.filter((t) => t.withheld!.releasedAt === wave.at)
      expect(pending.length).toBeGreaterThan(50)
      expect((await pgcr(sim, pending[0]!.id)).json.ErrorCode).toBe(12)
      expect((await pgcr(sim, pending.at(-1)!.id)).json.ErrorCode).toBe(12)
      clock = wave.at
      expect((await pgcr(sim, pending[0]!.id)).status).toBe(200)
      expect((await pgcr(sim, pending.at(-1)!.id)).status).toBe(200)
      expect(BigInt(pending[0]!.id)).toBeGreaterThanOrEqual(BigInt(wave.fromId))
      expect(BigInt(pending.at(-1)!.id)).toBeLessThan(BigInt(wave.toId))
    }
    expect(sim.truth.range(closedHead, openedHead).some((t) => t.floodgated)).toBe(false)
  })

  test("the same through HTTP: close at the head, open in waves, read the episodes", async () => {
    const post = (body: unknown) => fetch(`${sim.url}/__sim/control`, { method: "POST", body: JSON.stringify(body) })
    expect((await post({ floodgates: { closed: true, fromId: "head", hashes: [] } })).status).toBe(200)
    clock += 120_000
    expect((await post({ floodgates: { closed: false, release: { waves: 3, durationMs: 60_000 } } })).status).toBe(200)
    const episodes = (await getJson(`${sim.url}/__sim/truth/floodgates`, {})).json
    expect(episodes.length).toBe(2)
    expect(episodes[1].waves.length).toBe(3)
    expect(episodes[1].waves[2].at - episodes[1].waves[0].at).toBe(60_000)
    expect((await post({ floodgates: { release: { waves: 0 } } })).status).toBe(400)
  })
})

describe("floodgates that open on their own schedule", () => {
  test("closed from the start, released in waves after openAfterMs without any control", async () => {
    let clock = T0
    const sim = await startSim({
      ...quiet,
      seed: "gates-schedule",
      now: () => clock,
      floodgates: { closed: true, openAfterMs: 60_000, release: { waves: 2, durationMs: 30_000 } },
    })
    try {
      const start = BigInt(sim.truth.frontier().startId)
      const raid = sim.truth.range(start - 3_000n, start).find((t) => t.isRaid && t.state === "published")!
      expect((await pgcr(sim, raid.id)).json.ErrorCode).toBe(12)
      clock += 60_000
      // Every id below the head at closing goes in the first wave (oldest first).
      expect((await pgcr(sim, raid.id)).status).toBe(200)
      const late = sim.truth
        .range(start, BigInt(sim.truth.frontier().nextId))
        .filter((t) => t.isRaid && t.state === "published")
        .at(-1)!
      expect(late.floodgated).toBe(true)
      expect(late.withheld!.releasedAt).toBe(T0 + 90_000)
      clock += 30_000
      expect((await pgcr(sim, late.id)).status).toBe(200)
      // A later patch (hashes only) does not re-close gates that opened by schedule.
      sim.controls.update({ floodgates: { hashes: [1541433876] } })
      expect(sim.truth.id(late.id).floodgated).toBe(false)
    } finally {
      await sim.stop()
    }
  })
})

describe("system availability", () => {
  const clock = T0
  let sim: SimHandle
  let member: { type: number; id: string; characterId: string; groupId: string }
  beforeAll(async () => {
    sim = await startSim({ ...quiet, seed: "systems", now: () => clock })
    const clan = sim.truth.findClans({ minMembers: 100, limit: 1 })[0]!
    const p = sim.truth.player(clan.members[20]!)!
    member = { type: p.membershipType, id: p.membershipId, characterId: p.characters[0]!.characterId, groupId: clan.groupId }
  })
  afterAll(() => sim.stop())

  const settings = async () => (await getJson(`${sim.url}/Platform/Settings/`)).json.Response.systems
  const codes = async () => {
    const start = BigInt(sim.truth.frontier().startId)
    const raid = sim.truth.range(start - 3_000n, start).find((t) => t.isRaid && t.state === "published")!
    const base = `${sim.url}/Platform/Destiny2/${member.type}`
    const answers = await Promise.all([
      pgcr(sim, raid.id),
      getJson(`${base}/Profile/${member.id}/?components=100,200`),
      getJson(`${base}/Profile/${member.id}/Character/${member.characterId}/?components=200`),
      getJson(`${base}/Account/${member.id}/Character/${member.characterId}/Stats/Activities/?mode=4&count=250&page=0`),
      getJson(`${sim.url}/Platform/GroupV2/${member.groupId}/Members/?currentpage=1`),
    ])
    const [pgcrCode, profile, character, history, members] = answers.map((a) => a.json.ErrorCode)
    return { pgcr: pgcrCode, profile, character, history, members }
  }

  test("Settings lists Bungie's systems, all enabled", async () => {
    const systems = await settings()
    for (const name of ["Destiny2", "D2Profiles", "Activities", "D2Characters", "Groups", "Clans"]) expect(systems[name].enabled).toBe(true)
    expect(await codes()).toEqual({ pgcr: 1, profile: 1, character: 1, history: 1, members: 1 })
  })

  test("each disabled system turns off exactly the endpoints behind it (5 SystemDisabled, 503)", async () => {
    const expected: Record<string, Record<string, number>> = {
      D2Profiles: { pgcr: 1, profile: 5, character: 5, history: 1, members: 1 },
      D2Characters: { pgcr: 1, profile: 1, character: 5, history: 1, members: 1 },
      Activities: { pgcr: 1, profile: 1, character: 1, history: 5, members: 1 },
      Clans: { pgcr: 1, profile: 1, character: 1, history: 1, members: 5 },
      Destiny2: { pgcr: 5, profile: 5, character: 5, history: 5, members: 1 },
    }
    for (const [name, want] of Object.entries(expected)) {
      sim.controls.setSystem(name, false)
      expect((await settings())[name].enabled).toBe(false)
      expect(await codes()).toEqual(want as any)
      sim.controls.setSystem(name, true)
    }
    sim.controls.setSystem("D2Profiles", false)
    const disabled = await getJson(`${sim.url}/Platform/Destiny2/${member.type}/Profile/${member.id}/?components=100`)
    expect(disabled.status).toBe(503)
    expect(disabled.json.ErrorStatus).toBe("SystemDisabled")
    sim.controls.setSystem("D2Profiles", true)
    expect((await getJson(`${sim.url}/Platform/Destiny2/${member.type}/Profile/${member.id}/?components=100`)).status).toBe(200)
  })

  test("maintenance turns every Destiny system off; clans stay up", async () => {
    sim.controls.setMaintenance(true)
    const systems = await settings()
    expect(systems.Destiny2.enabled).toBe(false)
    expect(systems.D2Profiles.enabled).toBe(false)
    expect(systems.Groups.enabled).toBe(true)
    expect(await codes()).toEqual({ pgcr: 5, profile: 5, character: 5, history: 5, members: 1 })
    sim.controls.setMaintenance(false)
  })

  test("an unknown system name is refused", async () => {
    const r = await fetch(`${sim.url}/__sim/control`, { method: "POST", body: JSON.stringify({ systems: { Destiny3: false } }) })
    expect(r.status).toBe(400)
    expect(((await r.json()) as { error: string }).error).toContain("unknown system 'Destiny3'")
  })
})

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { AccountFacts, D2_LAUNCH_MS, seasonHash } from "./accounts.ts"
import { loadFixtures } from "./fixtures.ts"
import type { PlayerTruth } from "./player-facts.ts"
import { type SimHandle, startSim } from "./server.ts"
import { getJson } from "./test-helpers.ts"

const T0 = Date.parse("2026-11-20T12:00:00Z")
const DAY_MS = 86_400_000
const quiet = { scenario: "calm" as const, latency: 0 as const, throttle: { enabled: false } }

describe("account-level signals on the profile", () => {
  let sim: SimHandle
  let twin: SimHandle
  let players: PlayerTruth[]
  const profile = async (s: SimHandle, p: PlayerTruth) =>
    (await getJson(`${s.url}/Platform/Destiny2/${p.membershipType}/Profile/${p.membershipId}/?components=100,200`)).json.Response

  beforeAll(async () => {
    sim = await startSim({ ...quiet, seed: "accounts", now: () => T0 })
    twin = await startSim({ ...quiet, seed: "accounts", now: () => T0 })
    players = sim.truth.findPlayers({ limit: 400, exists: true, unknown: false })
  })
  afterAll(() => Promise.all([sim.stop(), twin.stop()]))

  test("the profile serves the truth's ownership, ranks and characters", async () => {
    for (const p of players.slice(0, 40)) {
      const data = (await profile(sim, p)).profile.data
      expect(data.versionsOwned).toBe(p.account.versionsOwned)
      expect(data.seasonHashes).toEqual(p.account.seasonHashes)
      expect(data.currentGuardianRank).toBe(p.account.currentGuardianRank)
      expect(data.lifetimeHighestGuardianRank).toBe(p.account.lifetimeHighestGuardianRank)
      expect(data.currentSeasonHash).toBe(p.account.currentSeasonHash)
      expect(data.characterIds.length).toBe(p.characters.length)
    }
  })

  test("deterministic per player: the same seed serves the same profile", async () => {
    for (const p of players.slice(0, 20)) {
      const [a, b] = await Promise.all([profile(sim, p), profile(twin, p)])
      expect(b).toEqual(a)
    }
  })

  test("variety across players: ownership, seasons, ranks, character counts and classes", () => {
    const distinct = (f: (p: PlayerTruth) => unknown) => new Set(players.map((p) => JSON.stringify(f(p)))).size
    expect(distinct((p) => p.account.versionsOwned)).toBeGreaterThan(20)
    expect(distinct((p) => p.account.seasonHashes.length)).toBeGreaterThan(10)
    expect(distinct((p) => p.account.lifetimeHighestGuardianRank)).toBeGreaterThanOrEqual(6)
    expect(distinct((p) => p.characters.length)).toBe(3)
    expect(players.some((p) => p.account.versionsOwned === 1)).toBe(true) // free to play
    expect(players.some((p) => p.isPrivate)).toBe(true)
    for (const p of players) expect(new Set(p.characters.map((c) => c.classType)).size).toBe(p.characters.length)
  })

  test("young accounts look young: low Guardian Rank, no season from before they existed", () => {
    const young = sim.truth.findPlayers({ maxAgeDays: 30, exists: true, limit: 25 })
    expect(young.length).toBe(25)
    const created = (p: PlayerTruth) => Date.parse(p.accountCreated)
    for (const p of young) {
      expect(T0 - created(p)).toBeLessThanOrEqual(30 * DAY_MS)
      expect(p.account.lifetimeHighestGuardianRank).toBeLessThanOrEqual(4)
      expect(p.account.currentGuardianRank).toBeLessThanOrEqual(p.account.lifetimeHighestGuardianRank)
      // At most the season running at creation and the ones since.
      expect(p.account.seasonHashes.length).toBeLessThanOrEqual(2)
    }
    const veterans = sim.truth.findPlayers({ minAgeDays: 3 * 365, limit: 100 })
    const mean = (list: PlayerTruth[]) => list.reduce((s, p) => s + p.account.lifetimeHighestGuardianRank, 0) / list.length
    expect(mean(veterans)).toBeGreaterThan(mean(young) + 3)
  })

  test("nobody plays before their account exists; firstAccess is the account's creation", async () => {
    const young = sim.truth.findPlayers({ maxAgeDays: 60, minInstances: 1, limit: 5 })
    expect(young.length).toBeGreaterThan(0)
    for (const p of young) {
      for (const id of p.raidInstanceIds.slice(0, 5)) {
        const body = (await getJson(`${sim.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`)).json.Response
        expect(Date.parse(body.period)).toBeGreaterThanOrEqual(Date.parse(p.accountCreated))
      }
      const user = (await getJson(`${sim.url}/Platform/User/GetMembershipsById/${p.membershipId}/-1/`)).json.Response
      expect(user.bungieNetUser.firstAccess).toBe(p.accountCreated)
    }
  })
})

describe("account facts (pure)", () => {
  const seasons = loadFixtures().seasons
  const facts = new AccountFacts(7, seasons)

  test("ownership covers only what was released by then", () => {
    const before = facts.view(1, D2_LAUNCH_MS, 2, Date.parse("2025-11-01T00:00:00Z"))
    const after = facts.view(1, D2_LAUNCH_MS, 2, Date.parse("2026-01-01T00:00:00Z"))
    expect(before.versionsOwned & 4096).toBe(0) // Renegades, 2025-12-02
    expect(before.versionsOwned & ~after.versionsOwned).toBe(0) // nothing is lost
    const lawless = seasons.find((s) => s.dlc === "Renegades")!
    expect(before.seasonHashes).not.toContain(seasonHash(lawless.id))
    expect(before.currentSeasonHash).toBe(seasonHash(seasons.find((s) => s.dlc === "The Edge of Fate")!.id))
  })

  test("free-to-play accounts own the base game only", () => {
    for (let i = 0; i < 50; i++) expect(facts.view(i, D2_LAUNCH_MS, 0, T0).versionsOwned).toBe(1)
  })

  test("Guardian Rank grows with the account's age", () => {
    const created = T0 - 3 * DAY_MS
    const now = facts.view(3, created, 1, T0).lifetimeHighestGuardianRank
    const later = facts.view(3, created, 1, T0 + 400 * DAY_MS).lifetimeHighestGuardianRank
    expect(now).toBeLessThanOrEqual(2)
    expect(later).toBeGreaterThan(now)
  })
})

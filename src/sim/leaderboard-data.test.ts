import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { loadFixtures } from "./fixtures.ts"
import { type SimHandle, startSim } from "./server.ts"
import { getJson } from "./test-helpers.ts"

const T0 = Date.parse("2026-11-20T12:00:00Z")
const HOUR_MS = 3_600_000

/** What the public API derives from a PGCR: completion, freshness, times. */
function summarise(body: any) {
  const entries = body.entries as any[]
  const duration = entries[0].values.activityDurationSeconds.basic.value
  const finished = (e: any) => e.values.completed.basic.value === 1 && e.values.completionReason.basic.value === 0
  return {
    hash: body.activityDetails.directorActivityHash as number,
    started: Date.parse(body.period),
    ended: Date.parse(body.period) + duration * 1000,
    duration,
    fresh: body.activityWasStartedFromBeginning === true,
    allFinished: entries.every(finished),
    anyFinished: entries.some(finished),
    members: new Set(entries.map((e) => e.player.destinyUserInfo.membershipId)),
  }
}

describe("data the public API's leaderboards show", () => {
  let sim: SimHandle
  const pgcr = async (id: string) => (await getJson(`${sim.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`)).json.Response
  beforeAll(async () => {
    sim = await startSim({ scenario: "calm", seed: "leaderboards", latency: 0, throttle: { enabled: false }, now: () => T0 })
  })
  afterAll(() => sim.stop())

  test("every raid has a race window from its definition, with the ids dated inside it", () => {
    const windows = sim.truth.raceWindows()
    expect(windows.length).toBe(16)
    const dp = windows.find((w) => w.activityId === 15)!
    expect(dp).toMatchObject({
      name: "The Desert Perpetual",
      release: "2025-07-19T17:00:00Z",
      contestEnd: "2025-07-21T17:00:00Z",
      weekOneEnd: "2025-07-22T17:00:00Z",
      worldFirstHashes: [3896382790],
    })
    // The world's dates follow the real id/date table: 16,326,292,274 is a DP contest clear of 2025-07-21.
    expect(BigInt(dp.fromId)).toBeLessThan(16_326_292_274n)
    expect(BigInt(dp.toId)).toBeGreaterThan(16_326_292_274n)
    expect(sim.truth.id(dp.fromId).createdAt!).toBeGreaterThanOrEqual(Date.parse(dp.release))
    expect(sim.truth.id(BigInt(dp.fromId) - 1n).createdAt!).toBeLessThan(Date.parse(dp.release))
  })

  test("inside a contest window most raids are the world-first version: fresh full clears taking hours, started after release", async () => {
    const dp = sim.truth.raceWindows().find((w) => w.activityId === 15)!
    // Six hours into the race.
    const from = BigInt(dp.fromId) + 500_000n
    const raids = sim.truth.range(from, from + 30_000n).filter((t) => t.isRaid && t.state === "published")
    const contest = raids.filter((t) => t.hash === 3896382790)
    expect(contest.length / raids.length).toBeGreaterThan(0.4)
    for (const t of contest.slice(0, 15)) {
      const s = summarise(await pgcr(t.id))
      expect(s.hash).toBe(3896382790)
      expect(s.started).toBeGreaterThanOrEqual(Date.parse(dp.release))
      expect(s.ended).toBeLessThan(Date.parse(dp.contestEnd))
      expect(s.duration).toBeGreaterThanOrEqual(2 * 3600)
      expect(s.fresh).toBe(true)
      expect(s.allFinished).toBe(true)
    }
    // Outside any window the contest version is not special.
    const later = BigInt(dp.toId) + 3_000_000n
    const after = sim.truth.range(later, later + 20_000n).filter((t) => t.isRaid && t.state === "published")
    expect(after.filter((t) => t.hash === 3896382790).length / after.length).toBeLessThan(0.1)
  })

  test("older raids race on their world-first version too, and no quick run lands on it (Last Wish, Standard)", async () => {
    // Last Wish's world-first version is its first Standard hash, the one regulars clear later on.
    const lw = sim.truth.raceWindows().find((w) => w.activityId === 4)!
    expect(lw.worldFirstHashes).toEqual([2122313384])
    const from = BigInt(lw.fromId) + 600_000n
    // 8,000 ids hold ~19 regular lane ids; in 2018 their only current raid is Last Wish.
    const raids = sim.truth.range(from, from + 8_000n).filter((t) => t.isRaid && t.state === "published")
    // Every world-first run in the window (regulars' and random picks' included) is a race clear.
    const racing = raids.filter((t) => t.hash === 2122313384)
    expect(racing.length).toBeGreaterThan(20)
    for (const t of racing) {
      const s = summarise(await pgcr(t.id))
      expect(s.allFinished).toBe(true)
      expect(s.started).toBeGreaterThanOrEqual(Date.parse(lw.release))
      expect(s.duration).toBeGreaterThanOrEqual(3600)
    }
  })

  test("completed Pantheon runs exist, on the Pantheon of their time", async () => {
    const fixtures = loadFixtures()
    const monument = new Set(fixtures.pantheonRows.filter((p) => p.activityId === 102).map((p) => p.hash))
    const head = BigInt(sim.truth.frontier().startId)
    const pantheon = sim.truth.range(head - 40_000n, head).filter((t) => t.kind === "pantheon" && t.state === "published")
    expect(pantheon.length).toBeGreaterThan(80)
    let completed = 0
    for (const t of pantheon.slice(0, 40)) {
      const body = await pgcr(t.id)
      const s = summarise(body)
      expect(body.activityDetails.mode).toBe(4)
      expect(monument.has(s.hash)).toBe(true)
      if (s.anyFinished) completed++
    }
    expect(completed).toBeGreaterThan(15)
    expect(completed).toBeLessThan(40)
  })

  test("regulars have a fresh full clear of every current raid in their last eleven runs (sum of best)", async () => {
    const fixtures = loadFixtures()
    const current = fixtures.raidRows.filter((r) => !r.sunset)
    const activities = new Set(current.map((r) => r.activityId))
    const activityOf = new Map(current.map((r) => [r.hash, r.activityId]))
    const regulars = sim.truth.findPlayers({ regular: true, limit: 3 })
    expect(regulars.length).toBe(3)
    for (const p of regulars) {
      const cleared = new Map<number, number>()
      for (const id of p.raidInstanceIds.slice(0, activities.size)) {
        const s = summarise(await pgcr(id))
        expect(s.members.has(p.membershipId)).toBe(true)
        expect(s.fresh && s.allFinished).toBe(true)
        cleared.set(activityOf.get(s.hash)!, s.duration)
      }
      expect(new Set(cleared.keys())).toEqual(activities)
    }
    // Their newest runs are recent: the lanes run at the head.
    const newest = sim.truth.id(regulars[0]!.raidInstanceIds[0]!)
    expect(T0 - newest.createdAt!).toBeLessThan(HOUR_MS)
  })
})

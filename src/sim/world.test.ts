import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type SimHandle, startSim } from "./server.ts"
import { getJson } from "./test-helpers.ts"

const pgcrPath = (id: string) => `/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`
const T0 = Date.parse("2026-11-20T12:00:00Z")

describe("moving world", () => {
  // Time moves by hand: the sim reads this clock for every request and truth call.
  let clock = T0
  let sim: SimHandle
  beforeAll(async () => {
    sim = await startSim({
      scenario: "calm",
      seed: "world-test",
      latency: 0,
      throttle: { enabled: false },
      now: () => clock,
      world: { ratePerSecond: 60, burstChance: 0, publishDelayMs: [200, 400], batchChance: 0, incompleteRate: 0, deadBlocks: [] },
    })
  })
  afterAll(() => sim.stop())

  test("a frontier id answers 404, then 200 once published", async () => {
    const ahead = String(BigInt(sim.truth.frontier().nextId) + 30n)
    expect(sim.truth.id(ahead).state).toBe("notCreated")
    const first = await getJson(sim.url + pgcrPath(ahead))
    expect(first.status).toBe(404)
    expect(first.json.ErrorCode).toBe(1653)
    expect(first.json.ErrorStatus).toBe("DestinyPGCRNotFound")
    // 30 ids at 60/s exist within ~0.7 s; publication follows within 0.4 s.
    clock += 2_000
    const answered = await getJson(sim.url + pgcrPath(ahead))
    const truth = sim.truth.id(ahead)
    if (truth.state === "skipped" || truth.state === "lost") {
      expect(answered.status).toBe(404) // this id will never appear; still a correct answer
    } else {
      expect(answered.status).toBe(200)
      expect(truth.state).toBe("published")
      expect(answered.json.Response.activityDetails.instanceId).toBe(ahead)
    }
  })

  test("the frontier advances with the clock at about the configured rate", async () => {
    const a = sim.truth.frontier()
    clock += 60_000
    const b = sim.truth.frontier()
    const advanced = Number(BigInt(b.nextId) - BigInt(a.nextId))
    // 60 ids/s with ±25 % noise per second and no bursts: 3,600 ± a few %.
    expect(advanced).toBeGreaterThan(3_400)
    expect(advanced).toBeLessThan(3_800)
  })

  test("truth agrees with what the endpoint serves over a range", async () => {
    const newest = BigInt(sim.truth.frontier().newestPublishedId!)
    // Stay behind the publication edge so no id changes state while we fetch.
    const from = newest - 500n
    const truth = sim.truth.range(from, newest - 100n)
    const answers = await Promise.all(truth.map((t) => getJson(sim.url + pgcrPath(t.id))))
    let published = 0
    truth.forEach((t, i) => {
      const { status, json } = answers[i]!
      if (t.state === "published") {
        published++
        expect(status).toBe(200)
        expect(json.Response.activityDetails.directorActivityHash).toBe(t.hash)
        expect(json.Response.activityDetails.mode).toBe(t.mode)
        expect(json.Response.entries.length).toBe(t.entryCount)
      } else {
        expect(["skipped", "lost"]).toContain(t.state)
        expect(status).toBe(404)
      }
    })
    expect(published).toBeGreaterThan(350)
    // The HTTP truth endpoint says the same.
    const http = await getJson(`${sim.url}/__sim/truth?from=${from}&to=${from + 50n}`, {})
    expect(http.json.ids.map((t: any) => t.state)).toEqual(truth.slice(0, 50).map((t) => t.state))
  })
})

describe("id-space quirks", () => {
  let clock = T0
  let sim: SimHandle
  beforeAll(async () => {
    sim = await startSim({
      scenario: "calm",
      seed: "quirks",
      latency: 0,
      throttle: { enabled: false },
      now: () => clock,
      // Anchored at the start: dead block offsets count from the head at start.
      world: {
        epochMs: T0,
        ratePerSecond: 100,
        publishDelayMs: [100, 200],
        incompleteRate: 1,
        incompleteMs: [1_500, 1_500],
        lostRunChance: 0.3,
        deadBlocks: [
          { offset: -5_000, length: 1_000 },
          { offset: 150, length: 10_000 },
        ],
        batchChance: 0.2,
        batchDelayMs: [60_000, 60_000],
      },
    })
  })
  afterAll(() => sim.stop())

  test("skipped, lost, dead and late-batch ids exist in the truth and all answer 404", async () => {
    const start = BigInt(sim.truth.frontier().startId)
    const truth = sim.truth.range(start - 60_000n, start - 2_000n)
    const states = new Map<string, number>()
    for (const t of truth) states.set(t.state, (states.get(t.state) ?? 0) + 1)
    expect(states.get("dead")).toBe(1_000)
    expect(states.get("skipped") ?? 0).toBeGreaterThan(10)
    expect(states.get("lost") ?? 0).toBeGreaterThan(10)
    for (const kind of ["dead", "skipped", "lost"]) {
      const t = truth.find((x) => x.state === kind)!
      expect((await getJson(sim.url + pgcrPath(t.id))).status).toBe(404)
    }
  })

  test("the counter jumps a dead block ahead of the frontier", async () => {
    const start = BigInt(sim.truth.frontier().startId)
    expect(sim.truth.id(start + 200n).state).toBe("dead")
    clock += 2_500
    const next = BigInt(sim.truth.frontier().nextId)
    expect(next).toBeGreaterThan(start + 10_150n)
    expect(sim.truth.id(start + 200n).state).toBe("dead")
  })

  test("a clump of ids is published minutes late while its neighbours are visible", async () => {
    // Ids created within the last minute (history just below the start at 100 ids/s).
    const start = BigInt(sim.truth.frontier().startId)
    const recent = sim.truth.range(start - 3_000n, start).filter((t) => t.state === "pending" || t.state === "published")
    const pending = recent.filter((t) => t.state === "pending" && t.createdAt !== null && clock - t.createdAt > 1_000)
    expect(pending.length).toBeGreaterThan(0)
    expect(pending.every((t) => t.publishedAt === null || t.publishedAt - t.createdAt! > 30_000)).toBe(true)
    expect((await getJson(sim.url + pgcrPath(pending[0]!.id))).status).toBe(404)
  })

  test("an early fetch can return an incomplete PGCR that becomes complete later", async () => {
    const next = BigInt(sim.truth.frontier().nextId)
    const target = sim.truth
      .range(next - 300n, next)
      .find((x) => x.state === "published" && x.incompleteUntil !== null && x.incompleteUntil > clock && x.entryCount! > 1)?.id
    expect(target).toBeDefined()
    const early = await getJson(sim.url + pgcrPath(target!))
    const entries = early.json.Response.entries
    expect(entries.length).toBeLessThan(entries[0].values.playerCount.basic.value)
    clock = sim.truth.id(target!).incompleteUntil! + 50
    const late = await getJson(sim.url + pgcrPath(target!))
    expect(late.json.Response.entries.length).toBe(late.json.Response.entries[0].values.playerCount.basic.value)
  })
})

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type SimHandle, startSim } from "./server.ts"
import { getJson } from "./test-helpers.ts"

const pgcrPath = (id: string | bigint) => `/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`
const T0 = Date.parse("2026-11-20T12:00:00Z")
const quiet = { scenario: "calm" as const, latency: 0 as const, throttle: { enabled: false } }

describe("a continuous world across restarts", () => {
  // `first` runs from T0; `second` starts 10 minutes later, as a restarted sim would.
  let firstClock = T0
  let secondClock = T0 + 600_000
  let first: SimHandle
  let second: SimHandle
  beforeAll(async () => {
    first = await startSim({ ...quiet, seed: "continuity", now: () => firstClock })
    second = await startSim({ ...quiet, seed: "continuity", now: () => secondClock })
  })
  afterAll(() => Promise.all([first.stop(), second.stop()]))

  test("a later start finds the head where a never-stopped sim has it", () => {
    firstClock = secondClock
    const a = first.truth.frontier()
    const b = second.truth.frontier()
    expect(b.nextId).toBe(a.nextId)
    expect(b.newestPublishedId).toBe(a.newestPublishedId)
    expect(b.epochId).toBe(a.epochId)
    expect(b.epochMs).toBe(a.epochMs)
    // Each reports where it started: ten minutes of ids apart (~57 ids/s with bursts).
    const gap = Number(BigInt(b.startId) - BigInt(a.startId))
    expect(gap).toBeGreaterThan(600 * 40)
    expect(gap).toBeLessThan(600 * 80)
  })

  test("the ids created while the first ran are the same history for the second", async () => {
    const from = BigInt(first.truth.frontier().startId)
    const to = BigInt(second.truth.frontier().startId)
    const a = first.truth.range(from, to)
    const b = second.truth.range(from, to)
    expect(b).toEqual(a)
    const raids = a.filter((t) => t.isRaid && t.state === "published").slice(0, 5)
    expect(raids.length).toBe(5)
    for (const t of raids) {
      const [x, y] = await Promise.all([getJson(first.url + pgcrPath(t.id)), getJson(second.url + pgcrPath(t.id))])
      expect(x.status).toBe(200)
      expect(y.text).toBe(x.text)
    }
  })

  test("both keep agreeing as time moves on", () => {
    firstClock += 90_000
    secondClock += 90_000
    const head = BigInt(first.truth.frontier().nextId)
    expect(second.truth.frontier().nextId).toBe(String(head))
    expect(second.truth.range(head - 3_000n, head)).toEqual(first.truth.range(head - 3_000n, head))
  })

  test("a sim started months after the epoch answers at once, at the configured rate on average", async () => {
    const late = Date.parse("2027-03-01T00:00:00Z")
    const t0 = performance.now()
    const sim = await startSim({ ...quiet, seed: "continuity", now: () => late })
    try {
      const f = sim.truth.frontier()
      expect(performance.now() - t0).toBeLessThan(3_000)
      // 50 ids/s plus 8 % bursts of x2–3.5 on average: 57.0 ids/s since the epoch (hours hold exactly that).
      const perSecond = Number(BigInt(f.nextId) - BigInt(f.epochId)) / ((late - f.epochMs) / 1000)
      expect(perSecond).toBeGreaterThan(56.5)
      expect(perSecond).toBeLessThan(57.5)
      const newest = f.newestPublishedId!
      expect((await getJson(sim.url + pgcrPath(newest))).status).toBe(200)
    } finally {
      await sim.stop()
    }
  })

  test("a rate change applies from then on; ids already created keep their times", () => {
    firstClock += 1_000
    const before = BigInt(first.truth.frontier().nextId)
    const created = () => first.truth.range(before - 500n, before).map((t) => [t.id, t.state === "notCreated", t.createdAt])
    const old = created()
    first.controls.setRate(200)
    firstClock += 60_000
    const after = BigInt(first.truth.frontier().nextId)
    expect(created()).toEqual(old)
    // 60 s at 200 ids/s (plus bursts) instead of ~57 ids/s.
    expect(Number(after - before)).toBeGreaterThan(60 * 180)
  })
})

describe("anchored worlds", () => {
  test("a start id without an epoch restarts the counter there (the legacy, non-continuous world)", async () => {
    const a = await startSim({ ...quiet, seed: "legacy", world: { startId: "17300000000" }, now: () => T0 })
    const b = await startSim({ ...quiet, seed: "legacy", world: { startId: "17300000000" }, now: () => T0 + 3_600_000 })
    try {
      expect(a.truth.frontier().startId).toBe("17300000000")
      expect(b.truth.frontier().startId).toBe("17300000000")
      expect(a.truth.frontier().continuous).toBe(false)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  test("an epoch pins the world: the same epoch gives the same world from any later start", async () => {
    const epochMs = T0 - 2 * 86_400_000
    const a = await startSim({ ...quiet, seed: "pinned", world: { epochMs }, now: () => T0 })
    const b = await startSim({ ...quiet, seed: "pinned", world: { epochMs }, now: () => T0 })
    try {
      expect(a.truth.frontier().epochId).toBe("17200000000")
      expect(b.truth.frontier()).toEqual(a.truth.frontier())
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  test("an epoch after the clock is refused with the reason", async () => {
    await expect(startSim({ ...quiet, seed: "x", world: { epochMs: T0 + 86_400_000 }, now: () => T0 })).rejects.toThrow(/after the clock/)
  })
})

describe("recurring dead blocks", () => {
  test("the counter jumps them; they sit at the same ids after a restart", async () => {
    const world = { deadBlockEvery: { periodIds: 100_000, chance: 1, length: [2_000, 4_000] as [number, number] } }
    let clock = T0
    const a = await startSim({ ...quiet, seed: "dead", world, now: () => clock })
    const b = await startSim({ ...quiet, seed: "dead", world, now: () => T0 + 3_600_000 })
    try {
      const head = BigInt(a.truth.frontier().nextId)
      const blocks = a.truth.deadBlocks(head - 400_000n, head)
      expect(blocks.length).toBeGreaterThanOrEqual(3)
      expect(b.truth.deadBlocks(head - 400_000n, head)).toEqual(blocks)
      const block = blocks[0]!
      const inside = BigInt(block.from) + 10n
      expect(a.truth.id(inside).state).toBe("dead")
      expect((await getJson(a.url + pgcrPath(inside))).status).toBe(404)
      expect(a.truth.id(BigInt(block.to)).state).toBe("published")
      // The head jumps the next block ahead: crossing it takes far less time than its length at 57 ids/s.
      const ahead = a.truth.deadBlocks(head, head + 200_000n)[0]!
      const length = Number(BigInt(ahead.to) - BigInt(ahead.from))
      const idsBefore = Number(BigInt(ahead.from) - head)
      clock += ((idsBefore + 500) / 45) * 1000
      expect(BigInt(a.truth.frontier().nextId)).toBeGreaterThan(BigInt(ahead.to))
      expect(length).toBeGreaterThanOrEqual(2_000)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
})

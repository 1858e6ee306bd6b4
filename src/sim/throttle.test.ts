import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type SimHandle, startSim } from "./server.ts"
import { HEADERS, requestFrom } from "./test-helpers.ts"
import { SourceThrottle } from "./throttle.ts"

describe("per-source-IP throttling", () => {
  test("rolling window arithmetic: limit × window, then recovery", () => {
    const t = new SourceThrottle({ enabled: true, limitPerSecond: 10, windowMs: 1_000, throttleSeconds: 1, countRejected: false })
    let rejected = 0
    for (let i = 0; i < 15; i++) if (t.hit("a", 1_000_000 + i)) rejected++
    expect(rejected).toBe(5)
    expect(t.hit("b", 1_000_020)).toBe(false)
    expect(t.hit("a", 1_001_100)).toBe(false)
  })

  // The sim reads this clock for every request: the test moves time instead of sleeping.
  let clock = Date.parse("2026-11-20T12:00:00Z")
  let sim: SimHandle
  beforeAll(async () => {
    // 0.0.0.0 so the test can also reach it through 127.0.0.2 (any 127/8 source works on Linux).
    sim = await startSim({ scenario: "calm", seed: "throttle", latency: 0, host: "0.0.0.0", now: () => clock })
  })
  afterAll(() => sim.stop())

  test("30 req/s from one address for 12 s draws 51 with ThrottleSeconds; 127.0.0.2 is unaffected", async () => {
    const url = `http://127.0.0.1:${sim.port}/Platform/Settings/`
    const hotAnswers: Array<{ status: number; body: string }> = []
    const calmAnswers: Array<{ status: number; body: string }> = []
    const t0 = clock
    // One request at a time, each at its own instant of a 30 req/s schedule.
    for (let i = 0; i < 360; i++) {
      clock = t0 + Math.floor((i * 1000) / 30)
      hotAnswers.push(await requestFrom(url, "127.0.0.1"))
      if (i % 6 === 0) calmAnswers.push(await requestFrom(url, "127.0.0.2"))
    }
    const throttled = hotAnswers.filter((a) => a.status === 429)
    // 25 req/s over 10 s = 250 allowed; the rest of 360 are refused while the average stays high.
    expect(hotAnswers.slice(0, 240).every((a) => a.status === 200)).toBe(true)
    expect(throttled.length).toBeGreaterThan(60)
    const body = JSON.parse(throttled[0]!.body)
    expect(body.ErrorCode).toBe(51)
    expect(body.ErrorStatus).toBe("PerEndpointRequestThrottleExceeded")
    expect(body.ThrottleSeconds).toBe(10)
    expect(body.MessageData.MaximumRequestsPerSecond).toBe("25")
    expect(calmAnswers.every((a) => a.status === 200)).toBe(true)
    const stats = sim.truth.stats()
    expect(stats.sources["127.0.0.1"]!.throttled).toBe(throttled.length)
    expect(stats.sources["127.0.0.2"]!.throttled).toBe(0)
  })

  test("a shorter window and limit can be set at run time", async () => {
    sim.controls.setThrottle({ windowMs: 500, limitPerSecond: 10 })
    const url = `http://127.0.0.1:${sim.port}/Platform/Settings/`
    const answers = []
    for (let i = 0; i < 8; i++) answers.push(await requestFrom(url, "127.0.0.3", HEADERS))
    expect(answers.filter((a) => a.status === 429).length).toBe(3)
    clock += 600
    expect((await requestFrom(url, "127.0.0.3")).status).toBe(200)
  })
})

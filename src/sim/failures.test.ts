import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test"
import { FaultInjector } from "./failures.ts"
import { createDefaultConfig } from "./options.ts"
import { SCENARIOS } from "./scenarios.ts"
import { type SimHandle, startSim } from "./server.ts"
import { getJson, HEADERS, requestFrom } from "./test-helpers.ts"

const NO_FAILURES = SCENARIOS.calm.failures as ReturnType<typeof createDefaultConfig>["failures"]

describe("failure modes", () => {
  let sim: SimHandle
  let raidId: string
  let otherId: string
  beforeAll(async () => {
    sim = await startSim({ scenario: "calm", seed: "failures", latency: 0, throttle: { enabled: false }, world: { incompleteRate: 0 } })
    const start = BigInt(sim.truth.frontier().startId)
    const truth = sim.truth.range(start - 5_000n, start - 2_000n).filter((t) => t.state === "published")
    raidId = truth.find((t) => t.isRaid)!.id
    otherId = truth.find((t) => t.kind === "other")!.id
  })
  afterEach(() => {
    sim.controls.update({ failures: { ...NO_FAILURES, slow: { ...NO_FAILURES.slow } }, maintenance: { active: false, schedule: null } })
    sim.controls.openFloodgates()
  })
  afterAll(() => sim.stop())
  const pgcr = (id: string) => `${sim.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`

  test("1672 game-server throttling answers 503", async () => {
    sim.controls.update({ failures: { gameServerThrottleRate: 1 } })
    const r = await getJson(pgcr(raidId))
    expect(r.status).toBe(503)
    expect(r.json.ErrorCode).toBe(1672)
    expect(r.json.ErrorStatus).toBe("DestinyThrottledByGameServer")
  })

  test("transient 500 and 502 come with HTML bodies", async () => {
    sim.controls.update({ failures: { http500Rate: 1 } })
    const a = await fetch(pgcr(raidId), { headers: HEADERS })
    expect(a.status).toBe(500)
    expect(a.headers.get("content-type")).toContain("text/html")
    expect(await a.text()).toContain("<title>500 Internal Server Error</title>")
    sim.controls.update({ failures: { http500Rate: 0, http502Rate: 1 } })
    const b = await fetch(pgcr(raidId), { headers: HEADERS })
    expect(b.status).toBe(502)
    expect(await b.text()).toContain("<title>502 Bad Gateway</title>")
  })

  test("Cloudflare challenge page", async () => {
    sim.controls.update({ failures: { cloudflareChallengeRate: 1 } })
    const r = await fetch(pgcr(raidId), { headers: HEADERS })
    expect(r.status).toBe(403)
    expect(await r.text()).toContain("<title>Just a moment...</title>")
  })

  test("truncated JSON, malformed JSON and Response: null", async () => {
    sim.controls.update({ failures: { truncatedRate: 1 } })
    const t = await getJson(pgcr(raidId))
    expect(t.status).toBe(200)
    expect(t.json).toBeNull()
    expect(t.text.startsWith('{"Response":')).toBe(true)
    sim.controls.update({ failures: { truncatedRate: 0, malformedRate: 1 } })
    const m = await getJson(pgcr(raidId))
    expect(m.json).toBeNull()
    expect(m.text).toContain("<html>")
    sim.controls.update({ failures: { malformedRate: 0, nullResponseRate: 1 } })
    const n = await getJson(pgcr(raidId))
    expect(n.json).toEqual({ Response: null, ErrorCode: 1, ThrottleSeconds: 0, ErrorStatus: "Success", Message: "Ok", MessageData: {} })
  })

  test("slow responses and fixed latency", async () => {
    sim.controls.update({ failures: { slow: { rate: 1, extraMs: [300, 300] } } })
    let t0 = performance.now()
    expect((await getJson(pgcr(otherId))).status).toBe(200)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290)
    sim.controls.update({ failures: { slow: { rate: 0 } }, latency: { kind: "fixed", ms: 120 } })
    t0 = performance.now()
    await getJson(pgcr(otherId))
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110)
    sim.controls.update({ latency: 0 })
  })

  test("default latency is lognormal with median ≈150 ms and a long tail", () => {
    const cfg = createDefaultConfig()
    const f = new FaultInjector({ ...cfg.failures, slow: { rate: 0, extraMs: [0, 0] } }, cfg.latency, 42)
    const samples = Array.from({ length: 4_000 }, () => f.pickDelayMs().ms).sort((a, b) => a - b)
    const median = samples[2_000]!
    expect(median).toBeGreaterThan(130)
    expect(median).toBeLessThan(170)
    expect(samples[3_960]!).toBeGreaterThan(median * 4)
  })

  test("maintenance: SystemDisabled everywhere, Settings reports Destiny2 disabled", async () => {
    sim.controls.setMaintenance(true)
    const r = await getJson(pgcr(raidId))
    expect(r.status).toBe(503)
    expect(r.json.ErrorCode).toBe(5)
    expect(r.json.ErrorStatus).toBe("SystemDisabled")
    const settings = await getJson(`${sim.url}/Platform/Settings/`)
    expect(settings.status).toBe(200)
    expect(settings.json.Response.systems.Destiny2.enabled).toBe(false)
    sim.controls.setMaintenance(false)
    expect((await getJson(`${sim.url}/Platform/Settings/`)).json.Response.systems.Destiny2.enabled).toBe(true)
    expect((await getJson(pgcr(raidId))).status).toBe(200)
  })

  test("floodgates: raid ids answer 12 until the gates open; non-raids flow", async () => {
    const http = await fetch(`${sim.url}/__sim/control`, { method: "POST", body: JSON.stringify({ floodgates: { closed: true } }) })
    expect(http.status).toBe(200)
    const blocked = await getJson(pgcr(raidId))
    expect(blocked.status).toBe(403)
    expect(blocked.json.ErrorCode).toBe(12)
    expect(blocked.json.ErrorStatus).toBe("InsufficientPrivileges")
    expect(sim.truth.id(raidId).floodgated).toBe(true)
    expect((await getJson(pgcr(otherId))).status).toBe(200)
    sim.controls.openFloodgates()
    expect((await getJson(pgcr(raidId))).status).toBe(200)
  })

  test("API key required (2102); missing User-Agent meets a Cloudflare block in strict mode", async () => {
    const noKey = await getJson(pgcr(raidId), { "user-agent": "x/1" })
    expect(noKey.status).toBe(401)
    expect(noKey.json.ErrorCode).toBe(2102)
    // node:http sends no User-Agent unless told to (Bun's fetch always adds one).
    const noAgent = await requestFrom(pgcr(raidId), "127.0.0.1", { "x-api-key": "k" })
    expect(noAgent.status).toBe(403)
    expect(noAgent.contentType).toContain("text/html")
    expect(noAgent.body).toContain("<title>Attention Required! | Cloudflare</title>")
  })

  test("unknown query parameters are ignored; bad ids are parse failures", async () => {
    const plain = await getJson(pgcr(raidId))
    const busted = await getJson(`${pgcr(raidId)}?retry=3&malformed_retry=1&_=${Date.now()}`)
    expect(busted.text).toBe(plain.text)
    const bad = await getJson(`${sim.url}/Platform/Destiny2/Stats/PostGameCarnageReport/abc/`)
    expect(bad.status).toBe(400)
    expect(bad.json.ErrorCode).toBe(7)
  })

  test("stats count requests, errors and faults per source address", async () => {
    const stats = await getJson(`${sim.url}/__sim/stats`, {})
    const local = stats.json.sources["127.0.0.1"]
    expect(local.requests).toBeGreaterThan(10)
    expect(local.byErrorCode["1672"]).toBeGreaterThan(0)
    expect(local.byFault.http502).toBeGreaterThan(0)
  })
})

/**
 * Zeus against the simulator, which throttles each source address like Bungie (here scaled down:
 * 10 req/s over a rolling 2 s, so a test needs seconds, not minutes) and plays Bungie's bad days
 * on command: throttle storms, maintenance (5), Cloudflare pages, game-server throttling (1672).
 * Checked: Bungie's throttle counters, zeus's scheduling decisions, and that every caller gets a
 * Bungie-shaped answer and zeus recovers without a restart. Rates themselves are the bench's.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { classifyResponse } from "../../lib/bungie/classify.ts"
import { decodeBody } from "../../lib/bungie/envelope.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import type { ZeusHandle } from "./server.ts"
import { ask, type CallerAnswer, flood, startTestZeus, waitUntil } from "./test-helpers.ts"

const LIMIT = 10
const WINDOW_MS = 2_000
/** The limiter scaled like the sim's throttle, starting just under it. */
const SCALED_LIMITER = { windowMs: WINDOW_MS, initialCeiling: LIMIT * 0.95, maxCeiling: LIMIT * 0.99 }

const publishedIds = new WeakMap<SimHandle, string[]>()

/** A PGCR that exists: ids the simulator skipped or lost answer 404 (1653), as Bungie's do. */
function pgcrPath(sim: SimHandle, n: number): string {
  let ids = publishedIds.get(sim)
  if (!ids) {
    const from = BigInt(sim.truth.frontier().startId) - 1_000n
    ids = sim.truth
      .range(from, from + 299n)
      .filter((entry) => entry.state === "published")
      .map((entry) => entry.id)
      .slice(0, 200)
    publishedIds.set(sim, ids)
  }
  return `/Platform/Destiny2/Stats/PostGameCarnageReport/${ids[n % ids.length]}/`
}

function isBungieShaped(answer: CallerAnswer): boolean {
  return answer.errorCode !== null && answer.errorStatus !== null
}

describe("three callers at 3x the allowed rate through 4 addresses", () => {
  let sim: SimHandle
  let zeus: ZeusHandle
  beforeAll(async () => {
    sim = await startSim({
      seed: 11,
      scenario: "calm",
      port: 0,
      latency: { kind: "lognormal", medianMs: 15, sigma: 0.3, maxMs: 100 },
      throttle: { enabled: true, limitPerSecond: LIMIT, windowMs: WINDOW_MS, throttleSeconds: 2, countRejected: true },
    })
    zeus = await startTestZeus(sim.url, {
      sourceAddresses: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"],
      limiterOptions: SCALED_LIMITER,
    })
  })
  afterAll(async () => {
    await zeus?.stop()
    await sim?.stop()
  })

  test("the addresses stay under Bungie's limit and each caller gets a third of the permits", async () => {
    const callers = ["hermes/player_crawl", "hermes/activity_history", "hades"]
    const allowed = LIMIT * 4
    const answers = await Promise.all(
      callers.map((client) =>
        flood(allowed, 8_000, (n) => ask(`${zeus.url}${pgcrPath(sim, n)}`, client, { "x-raidhub-deadline-ms": "1000" })),
      ),
    )
    const stats = sim.truth.stats()
    expect(Object.keys(stats.sources).sort()).toEqual(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"])
    const decisions = Object.fromEntries(zeus.queueStats().map((s) => [s.client, s.dispatched]))
    const total = callers.reduce((sum, c) => sum + (decisions[c] ?? 0), 0)
    console.log(
      `zeus fairness: decisions ${JSON.stringify(decisions)}, sim throttled ${stats.totals.throttled} of ${stats.totals.requests}`,
    )
    // Bungie's throttle counters stay near zero (3x the allowed rate was asked): at most 1 % of
    // the ~300 requests. The window is scaled to 2 s (20 requests per address), so one request
    // that a loaded box delays into the next send's arrival can cross it; CI saw 3 once.
    expect(stats.totals.throttled).toBeLessThanOrEqual(Math.max(2, Math.floor(stats.totals.requests / 100)))
    expect(total).toBeGreaterThan(100)
    for (const client of callers) expect(Math.abs(decisions[client]! / total - 1 / 3)).toBeLessThan(0.04)
    // Every caller got answers of two kinds only: Bungie's PGCR, or zeus's queue timeout.
    for (const list of answers) {
      for (const answer of list) {
        const kind = answer.status === 200 && answer.errorCode === 1 ? "ok" : answer.local
        expect(["ok", "ZeusQueueTimeout"]).toContain(kind ?? `status ${answer.status}, code ${answer.errorCode}`)
        expect(isBungieShaped(answer)).toBe(true)
      }
      expect(list.filter((a) => a.local === "ZeusQueueTimeout").length).toBeGreaterThan(0)
    }
  }, 30_000)
})

describe("Bungie's bad days: right answers, recovery without a restart", () => {
  let sim: SimHandle
  let zeus: ZeusHandle
  beforeAll(async () => {
    sim = await startSim({
      seed: 12,
      scenario: "calm",
      port: 0,
      latency: { kind: "fixed", ms: 5 },
      throttle: { enabled: true, limitPerSecond: LIMIT, windowMs: WINDOW_MS, throttleSeconds: 1, countRejected: true },
    })
    zeus = await startTestZeus(sim.url, {
      limiterOptions: {
        ...SCALED_LIMITER,
        decreaseCooldownMs: 200,
        defaultThrottlePauseMs: 300,
        serverThrottlePauseMs: 200,
        // Long on purpose: only the Settings watch can lift a maintenance pause within the test.
        disabledPauseMs: 60_000,
      },
      availabilityIntervalMs: 100,
      settingsTtlMs: 50,
    })
  })
  afterAll(async () => {
    await zeus?.stop()
    await sim?.stop()
  })

  const get = (n: number, client = "hermes/player_crawl") => ask(`${zeus.url}${pgcrPath(sim, n)}`, client)
  const recovered = () => waitUntil(async () => (await get(1)).status === 200, 15_000, 100)

  test("throttle storm: callers get Bungie's 51 or zeus's timeout, never a broken answer; zeus recovers when it ends", async () => {
    sim.controls.setThrottle({ limitPerSecond: 2 })
    const storm = await flood(20, 3_000, (n) => get(n))
    expect(storm.every(isBungieShaped)).toBe(true)
    const kinds = new Set(storm.map((a) => (a.local ?? a.errorStatus) as string))
    for (const kind of kinds) expect(["Success", "PerEndpointRequestThrottleExceeded", "ZeusQueueTimeout"]).toContain(kind)
    const snapshot = zeus.limiter.snapshot()
    expect(snapshot.addresses.some((a) => a.throttled > 0 && a.decreases > 0)).toBe(true)
    sim.controls.setThrottle({ limitPerSecond: LIMIT })
    expect(await recovered()).toBe(true)
    const after: CallerAnswer[] = []
    for (let i = 0; i < 15; i++) after.push(await get(i))
    expect(after.map((a) => a.status)).toEqual(Array(15).fill(200))
  }, 40_000)

  test("maintenance (5): the first answer is Bungie's, then zeus answers for Bungie without asking it, and resumes when Settings says so", async () => {
    await recovered()
    sim.controls.setMaintenance(true)
    const first = await get(2)
    expect(first).toMatchObject({ status: 503, errorCode: 5, errorStatus: "SystemDisabled", local: null })
    const pgcrBefore = sim.truth.stats().totals.byEndpoint.pgcr ?? 0
    const during: CallerAnswer[] = []
    for (let i = 0; i < 20; i++) during.push(await get(i))
    for (const answer of during)
      expect(answer).toMatchObject({ status: 503, errorCode: 5, errorStatus: "SystemDisabled", local: "SystemDisabled" })
    // Zeus did not keep asking Bungie while it knew Bungie was down.
    expect((sim.truth.stats().totals.byEndpoint.pgcr ?? 0) - pgcrBefore).toBe(0)
    expect(zeus.limiter.snapshot().pauseReason).toBe("disabled")
    sim.controls.setMaintenance(false)
    expect(await recovered()).toBe(true)
    expect(zeus.limiter.snapshot().pauseReason).toBe("none")
  }, 30_000)

  test("Cloudflare pages: sent again from the other address, then relayed as the page (a throttle to our client); recovery after", async () => {
    await recovered()
    sim.controls.update({ failures: { cloudflareChallengeRate: 1 } })
    const response = await fetch(`${zeus.url}${pgcrPath(sim, 3)}`, { headers: { "x-raidhub-client": "hades" } })
    const body = new Uint8Array(await response.arrayBuffer())
    expect(response.status).toBe(403)
    expect(response.headers.get("content-type")).toContain("text/html")
    const classified = classifyResponse({
      status: 403,
      retryAfter: null,
      body: decodeBody(response.headers.get("content-type"), body),
      latencyMs: 1,
    })
    expect(classified.kind).toBe("throttled")
    const metrics = await (await fetch(`${zeus.metricsUrl}/metrics`)).text()
    expect(metrics).toMatch(/zeus_throttle_retries_total\{address="127\.0\.0\.[23]"\} [1-9]/)
    sim.controls.update({ failures: { cloudflareChallengeRate: 0 } })
    expect(await recovered()).toBe(true)
  }, 30_000)

  test("game-server throttling (1672 / 503): relayed as Bungie said it; recovery after", async () => {
    await recovered()
    sim.controls.update({ failures: { gameServerThrottleRate: 1 } })
    const answer = await get(4)
    expect(answer).toMatchObject({ status: 503, errorCode: 1672, errorStatus: "DestinyThrottledByGameServer", local: null })
    sim.controls.update({ failures: { gameServerThrottleRate: 0 } })
    expect(await recovered()).toBe(true)
    const metrics = await (await fetch(`${zeus.metricsUrl}/metrics`)).text()
    expect(metrics).toMatch(/zeus_limiter_outcomes_total\{address="[^"]+",outcome="serverThrottled"\} [1-9]/)
  }, 30_000)
})

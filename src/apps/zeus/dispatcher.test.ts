/**
 * The dispatcher with the real shared limiter and the real fair queue, in virtual time, against
 * fake per-address Bungie throttles (25 req/s over a rolling 10 s, refused requests count too).
 * Callers ask several times the allowed rate; what is checked are the scheduling decisions:
 * who got each permit, and what the fake Bungie answered. Minutes of traffic run in a second.
 */
import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../../lib/math/seeded-random.ts"
import { createSharedLimiter } from "../../lib/ratelimit/index.ts"
import { EventQueue } from "../../lib/ratelimit/testing/event-queue.ts"
import { createFakeThrottle } from "../../lib/ratelimit/testing/fake-bungie-throttle.ts"
import { Dispatcher, type DispatcherTimers, type DropReason } from "./dispatcher.ts"
import { FairQueue } from "./fair-queue.ts"
import { ZEUS_LIMITER_DEFAULTS } from "./server.ts"

/**
 * The limiter learns Bungie's limit by meeting it once: every address's ceiling grows from 24 to
 * 25 req/s in its first ~60 s, is throttled once, and waits out ThrottleSeconds (10 s). The
 * addresses grow in lockstep, so they learn together and zeus sends nothing for ~10 s then (the
 * bench reports it). Steady-state checks are measured after that.
 */
const LEARNED_BY_MS = 80_000

interface Caller {
  name: string
  /** Requests per second this caller asks. */
  rate: number
}

interface RunOptions {
  callers: Caller[]
  addresses: number
  weights?: Record<string, number>
  durationMs: number
  measureFromMs: number
  deadlineMs: number
  throttleRetries: number
  /** Disable Bungie (code 5 on every request) during [from, to). */
  disabledWindow?: [number, number]
}

function createVirtualTimers(q: EventQueue): DispatcherTimers {
  return {
    set(run, ms) {
      const handle = { cancelled: false }
      q.schedule(q.now + ms, () => {
        if (!handle.cancelled) run()
      })
      return handle
    },
    clear(handle) {
      ;(handle as { cancelled: boolean }).cancelled = true
    },
  }
}

function runScenario(o: RunOptions) {
  const q = new EventQueue()
  q.now = 1_000_000
  const start = q.now
  const random = createSeededRandom(7)
  const { limiter } = createSharedLimiter(
    { ...ZEUS_LIMITER_DEFAULTS, addresses: o.addresses, maxConcurrency: 64, initialConcurrency: 16, defaultThrottlePauseMs: 10_000 },
    { now: () => q.now, random },
  )
  const servers = Array.from({ length: o.addresses }, () =>
    createFakeThrottle({ limitPerSec: 25, windowMs: 10_000, throttleSeconds: 10, mode: "whileOver", countRefused: true }),
  )
  const measuring = () => q.now - start >= o.measureFromMs
  const count = () => Object.fromEntries(o.callers.map((c) => [c.name, 0])) as Record<string, number>
  const decisions = count()
  const served = count()
  const timedOut = count()
  const dropped: Record<DropReason, number> = { full: 0, disabled: 0, shutdown: 0 }
  let accepted = 0
  let throttledAtBungie = 0
  let throttledToCaller = 0
  let answers = 0
  let maxLightWait = 0
  const queue = new FairQueue<{ caller: string }>({ maxQueued: 50_000, weightOf: (c) => o.weights?.[c] ?? 1 })
  const dispatcher: Dispatcher<{ caller: string }> = new Dispatcher({
    limiter,
    queue,
    now: () => q.now,
    timers: createVirtualTimers(q),
    random,
    hooks: {
      dispatch(entry, permit) {
        if (measuring()) decisions[entry.client]!++
        if (entry.client === "light" && measuring()) maxLightWait = Math.max(maxLightWait, q.now - entry.enqueuedAt)
        const latency = 60 + 60 * random()
        const sentAt = q.now
        // Bungie counts the request when it arrives, in send order (one-way latency is even).
        const answer = servers[permit.addressIndex]!.arrive(sentAt)
        q.schedule(q.now + latency, () => {
          const disabled = o.disabledWindow !== undefined && sentAt - start >= o.disabledWindow[0] && sentAt - start < o.disabledWindow[1]
          if (answer.throttled) {
            if (measuring()) throttledAtBungie++
            permit.release({ kind: "throttled", latencyMs: latency, waitMs: answer.waitMs })
            if (entry.dispatches <= o.throttleRetries && q.now < entry.deadlineAt) dispatcher.requeue(entry)
            else if (measuring()) {
              throttledToCaller++
              answers++
            }
          } else if (disabled) {
            permit.release({ kind: "disabled", latencyMs: latency, waitMs: null })
          } else {
            if (measuring()) {
              accepted++
              served[entry.client]!++
              answers++
            }
            permit.release({ kind: "ok", latencyMs: latency })
          }
          dispatcher.pump()
        })
      },
      expired(entry) {
        if (measuring()) timedOut[entry.client]!++
      },
      dropped(_entry, reason) {
        dropped[reason]++
      },
    },
  })
  for (const [i, caller] of o.callers.entries()) {
    const every = 1000 / caller.rate
    const arrive = (at: number) => {
      q.schedule(at, () => {
        if (q.now - start < o.durationMs) {
          dispatcher.submit(caller.name, { caller: caller.name }, q.now + o.deadlineMs)
          arrive(at + every)
        }
      })
    }
    arrive(start + i)
  }
  q.runUntil(start + o.durationMs)
  const measuredSeconds = (o.durationMs - o.measureFromMs) / 1000
  const totalDecisions = Object.values(decisions).reduce((a, b) => a + b, 0)
  return {
    shares: Object.fromEntries(Object.entries(decisions).map(([k, v]) => [k, v / totalDecisions])),
    decisions,
    served,
    timedOut,
    dropped,
    acceptedShareOfAllowed: accepted / measuredSeconds / (25 * o.addresses),
    throttledAtBungieShare: throttledAtBungie / Math.max(1, accepted + throttledAtBungie),
    throttledToCallerShare: throttledToCaller / Math.max(1, answers),
    maxLightWait,
    limiter,
    queue,
  }
}

describe("dispatcher in virtual time (real limiter, real fair queue, fake per-address throttles)", () => {
  test("three callers at 3x the allowed rate over 4 addresses: Bungie barely throttles, each caller gets a third", () => {
    const r = runScenario({
      callers: [
        { name: "hermes/player_crawl", rate: 100 },
        { name: "hermes/clan_crawl", rate: 100 },
        { name: "hades", rate: 100 },
      ],
      addresses: 4,
      durationMs: 160_000,
      measureFromMs: LEARNED_BY_MS,
      deadlineMs: 10_000,
      throttleRetries: 2,
    })
    for (const share of Object.values(r.shares)) expect(Math.abs(share - 1 / 3)).toBeLessThan(0.01)
    expect(r.acceptedShareOfAllowed).toBeGreaterThan(0.97)
    expect(r.acceptedShareOfAllowed).toBeLessThanOrEqual(1)
    expect(r.throttledAtBungieShare).toBeLessThan(0.005)
    expect(r.throttledToCallerShare).toBeLessThan(0.001)
    // What could not be served in time was answered as a queue timeout, not left waiting.
    for (const name of Object.keys(r.timedOut)) expect(r.timedOut[name]!).toBeGreaterThan(0)
    expect(r.queue.size).toBeLessThan(3 * 100 * 10 + 1)
  })

  test("weights 2:1:1 split the permits 1/2, 1/4, 1/4", () => {
    const r = runScenario({
      callers: [
        { name: "atlas", rate: 120 },
        { name: "hermes", rate: 120 },
        { name: "hades", rate: 120 },
      ],
      weights: { atlas: 2 },
      addresses: 4,
      durationMs: 120_000,
      measureFromMs: 30_000,
      deadlineMs: 10_000,
      throttleRetries: 2,
    })
    expect(r.shares.atlas!).toBeCloseTo(0.5, 1)
    expect(Math.abs(r.shares.atlas! - 0.5)).toBeLessThan(0.01)
    expect(Math.abs(r.shares.hermes! - 0.25)).toBeLessThan(0.01)
    expect(Math.abs(r.shares.hades! - 0.25)).toBeLessThan(0.01)
  })

  test("a light caller under its share is served in full and quickly while two others flood", () => {
    const r = runScenario({
      callers: [
        { name: "flood", rate: 300 },
        { name: "steady", rate: 60 },
        { name: "light", rate: 5 },
      ],
      addresses: 4,
      durationMs: 140_000,
      measureFromMs: LEARNED_BY_MS,
      deadlineMs: 10_000,
      throttleRetries: 2,
    })
    expect(r.timedOut.light).toBe(0)
    expect(r.maxLightWait).toBeLessThan(1_000)
    expect(r.served.light! / ((140_000 - LEARNED_BY_MS) / 1000)).toBeGreaterThan(4.9)
    // The rest (~95 req/s) splits evenly between the two heavy callers, both asking more than half
    // of it: flooding at 300 req/s buys nothing over asking 60; it only times out more.
    expect(Math.abs(r.decisions.flood! - r.decisions.steady!)).toBeLessThan(0.01 * r.decisions.flood!)
    expect(r.timedOut.flood!).toBeGreaterThan(10 * r.timedOut.steady!)
  })

  test("SystemDisabled pauses the limiter: waiting requests are answered at once instead of timing out", () => {
    const r = runScenario({
      callers: [{ name: "hermes", rate: 50 }],
      addresses: 2,
      durationMs: 60_000,
      measureFromMs: 0,
      deadlineMs: 10_000,
      throttleRetries: 2,
      disabledWindow: [20_000, 25_000],
    })
    expect(r.dropped.disabled).toBeGreaterThan(0)
    // The limiter's disabled pause is 60 s without a Settings watch to lift it; this run ends
    // paused, with nothing left waiting and nothing timed out behind the pause.
    expect(r.limiter.snapshot().pauseReason).toBe("disabled")
    expect(r.queue.size).toBe(0)
    expect(r.timedOut.hermes).toBe(0)
  })
})

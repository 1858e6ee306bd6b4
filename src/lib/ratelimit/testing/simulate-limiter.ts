/**
 * Virtual-time simulation of fetchers using the real shared limiter against fake per-address
 * Bungie throttles. Hours of traffic run in about a second, deterministically for a seed.
 */

import { createSeededRandom } from "../../math/seeded-random.ts"
import type { LimiterOptions } from "../options.ts"
import { createSharedLimiter } from "../shared-limiter.ts"
import { EventQueue } from "./event-queue.ts"
import { createFakeThrottle, type FakeThrottleOptions } from "./fake-bungie-throttle.ts"

export interface LimiterSimulationOptions {
  seed: number
  durationMs: number
  /** Statistics ignore the first warmupMs (the limiter's learning phase). */
  warmupMs: number
  fetchers: number
  /** Median latency; the spread is lognormal with sigma `latencySigma`. */
  latencyMedianMs: number
  latencySigma: number
  limiter: Partial<LimiterOptions>
  server: FakeThrottleOptions
  /** Period of the rate samples used to judge oscillation. */
  sampleEveryMs: number
}

export interface AddressSimulationResult {
  ok: number
  throttled: number
  /** ok per second over the measured period divided by the server's limit. */
  shareOfAllowed: number
  throttledShare: number
  /** Ceiling decreases during the measured period. */
  decreases: number
  /** Accepted requests per sample period (req/s), measured period only. */
  rateSamples: number[]
  finalCeiling: number
}

export function runLimiterSimulation(o: LimiterSimulationOptions): AddressSimulationResult[] {
  const q = new EventQueue()
  const random = createSeededRandom(o.seed)
  const { limiter } = createSharedLimiter(o.limiter, { now: () => q.now, random })
  const addresses = limiter.options.addresses
  const servers = Array.from({ length: addresses }, () => createFakeThrottle(o.server))
  const stats = Array.from({ length: addresses }, () => ({
    ok: 0,
    throttled: 0,
    decreasesAtWarmup: 0,
    sampleOk: 0,
    rateSamples: [] as number[],
  }))

  const sampleLatency = () => {
    // Box-Muller normal -> lognormal latency, capped like a client timeout.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    return Math.min(5_000, o.latencyMedianMs * Math.exp(o.latencySigma * z))
  }

  const runFetcher = () => {
    const r = limiter.tryAcquire()
    if (r.kind === "wait") {
      q.schedule(q.now + Math.max(r.waitMs, 0.01) + random(), runFetcher)
      return
    }
    const permit = r.permit
    const latency = sampleLatency()
    // The server sees the request half-way through the round trip (arrivals must be in time order).
    q.schedule(q.now + latency / 2, () => {
      const answer = servers[permit.addressIndex]!.arrive(q.now)
      q.schedule(q.now + latency / 2, () => {
        const measured = q.now >= o.warmupMs
        const s = stats[permit.addressIndex]!
        if (answer.throttled) {
          if (measured) s.throttled++
          permit.release({ kind: "throttled", latencyMs: latency, waitMs: answer.waitMs })
        } else {
          if (measured) {
            s.ok++
            s.sampleOk++
          }
          permit.release({ kind: "ok", latencyMs: latency })
        }
        runFetcher()
      })
    })
  }

  for (let f = 0; f < o.fetchers; f++) q.schedule(f, runFetcher)
  q.schedule(o.warmupMs, () => {
    const snap = limiter.snapshot()
    for (const [i, a] of snap.addresses.entries()) stats[i]!.decreasesAtWarmup = a.decreases
  })
  const sample = () => {
    if (q.now > o.warmupMs) {
      for (const s of stats) {
        s.rateSamples.push(s.sampleOk / (o.sampleEveryMs / 1000))
        s.sampleOk = 0
      }
    }
    q.schedule(q.now + o.sampleEveryMs, sample)
  }
  q.schedule(o.warmupMs, sample)
  q.runUntil(o.durationMs)

  const measuredSec = (o.durationMs - o.warmupMs) / 1000
  const snap = limiter.snapshot()
  return stats.map((s, i) => ({
    ok: s.ok,
    throttled: s.throttled,
    shareOfAllowed: s.ok / measuredSec / o.server.limitPerSec,
    throttledShare: s.throttled / Math.max(1, s.ok + s.throttled),
    decreases: snap.addresses[i]!.decreases - s.decreasesAtWarmup,
    rateSamples: s.rateSamples,
    finalCeiling: snap.addresses[i]!.ceiling,
  }))
}

// Injected faults and latency. Decisions come from one seeded stream per server, so a run
// with the same seed and the same request order sees the same faults.
import type { FailureOptions, LatencyOptions, MaintenanceOptions } from "./options.ts"
import { createRng, type Rng, sampleLognormal } from "./random.ts"

export type PreFault = "gameServerThrottle" | "http500" | "http502" | "cloudflareChallenge"
export type PostFault = "truncated" | "malformed" | "nullResponse"

export class FaultInjector {
  private readonly rng: Rng

  constructor(
    public failures: FailureOptions,
    public latency: LatencyOptions,
    seed: number,
  ) {
    this.rng = createRng(seed ^ 0x5eed)
  }

  /** Faults that replace the handler's answer entirely. */
  pickPreFault(): PreFault | null {
    const f = this.failures
    const u = this.rng.next()
    return pickByCumulativeRate<PreFault>(u, [
      ["gameServerThrottle", f.gameServerThrottleRate],
      ["http500", f.http500Rate],
      ["http502", f.http502Rate],
      ["cloudflareChallenge", f.cloudflareChallengeRate],
    ])
  }

  /** Faults that damage a successful answer. */
  pickPostFault(): PostFault | null {
    const f = this.failures
    const u = this.rng.next()
    return pickByCumulativeRate<PostFault>(u, [
      ["truncated", f.truncatedRate],
      ["malformed", f.malformedRate],
      ["nullResponse", f.nullResponseRate],
    ])
  }

  damage(body: string, fault: PostFault): string {
    switch (fault) {
      case "truncated":
        return body.slice(0, Math.max(1, Math.floor(body.length * (0.1 + this.rng.next() * 0.85))))
      case "malformed": {
        // A body that starts as JSON and then turns into an upstream error page.
        const cut = Math.floor(body.length * this.rng.next() * 0.9)
        return `${body.slice(0, cut)}<html><body>upstream connect error or disconnect/reset before headers</body></html>`
      }
      case "nullResponse":
        return `{"Response":null,"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success","Message":"Ok","MessageData":{}}`
    }
  }

  /** Milliseconds to wait before answering (base latency plus an occasional slow answer). */
  pickDelayMs(): { ms: number; slow: boolean } {
    let ms = 0
    const l = this.latency
    if (l.kind === "fixed") ms = l.ms
    else if (l.kind === "lognormal") ms = Math.min(l.maxMs, sampleLognormal(l.medianMs, l.sigma, this.rng.next(), this.rng.next()))
    const slow = this.failures.slow.rate > 0 && this.rng.next() < this.failures.slow.rate
    if (slow) {
      const [lo, hi] = this.failures.slow.extraMs
      ms += lo + (hi - lo) * this.rng.next()
    }
    return { ms, slow }
  }

  next(): number {
    return this.rng.next()
  }
}

export function isMaintenanceActive(m: MaintenanceOptions, startMs: number, nowMs: number): boolean {
  if (m.active) return true
  const s = m.schedule
  if (!s || s.everyMs <= 0) return false
  const t = nowMs - startMs - s.offsetMs
  return t >= 0 && t % s.everyMs < s.durationMs
}

/** The first outcome whose cumulative rate exceeds the uniform draw `u`, or null past all of them. */
function pickByCumulativeRate<T>(u: number, outcomes: readonly (readonly [T, number])[]): T | null {
  let acc = 0
  for (const [outcome, rate] of outcomes) {
    acc += rate
    if (u < acc) return outcome
  }
  return null
}

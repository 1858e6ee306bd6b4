import { describe, expect, test } from "bun:test"
import { attachLimiter, createSharedLimiter } from "./shared-limiter.ts"
import type { Permit, TryAcquireResult } from "./types.ts"

function makeClock(start = 1_000_000) {
  const clock = { t: start, now: () => clock.t }
  return clock
}

function expectPermit(r: TryAcquireResult): Permit {
  if (r.kind !== "permit") throw new Error(`expected a permit, got wait ${r.reason} ${r.waitMs}`)
  return r.permit
}

describe("shared limiter (one thread, virtual clock)", () => {
  test("paces one address at its ceiling and never lets the window exceed it", () => {
    const clock = makeClock()
    const { limiter } = createSharedLimiter(
      { addresses: 1, initialCeiling: 20, maxCeiling: 20, windowMs: 1_000, slotMs: 10, burstSeconds: 0.5 },
      { now: clock.now },
    )
    const sent: number[] = []
    for (let step = 0; step < 5_000; step++) {
      const r = limiter.tryAcquire()
      if (r.kind === "permit") {
        sent.push(clock.t)
        r.permit.release({ kind: "ok", latencyMs: 50 })
      } else clock.t += Math.max(r.waitMs, 0.1)
    }
    for (let i = 0; i < sent.length; i++) {
      const inWindow = sent.filter((t) => t > sent[i]! - 1_000 && t <= sent[i]!).length
      expect(inWindow).toBeLessThanOrEqual(20)
    }
    const seconds = (sent.at(-1)! - sent[0]!) / 1000
    expect(sent.length / seconds).toBeGreaterThan(19)
  })

  test("a throttle pauses only that address (ThrottleSeconds) and decreases its ceiling once", () => {
    const clock = makeClock()
    const { limiter } = createSharedLimiter(
      { addresses: 2, initialCeiling: 10, burstSeconds: 1, throttleWaitFactor: 1 },
      { now: clock.now, random: () => 0 },
    )
    const a = expectPermit(limiter.tryAcquire())
    const b = expectPermit(limiter.tryAcquire())
    const a2 = expectPermit(limiter.tryAcquire())
    expect([a.addressIndex, b.addressIndex, a2.addressIndex]).toEqual([0, 1, 0])
    clock.t += 100
    a.release({ kind: "throttled", latencyMs: 30, waitMs: 10_000 })
    a2.release({ kind: "throttled", latencyMs: 30, waitMs: 10_000 })
    a.release({ kind: "ok", latencyMs: 30 }) // second release of a permit is ignored
    b.release({ kind: "ok", latencyMs: 30 })
    const snap = limiter.snapshot()
    expect(snap.addresses[0]!.throttled).toBe(2)
    expect(snap.addresses[0]!.ok).toBe(0)
    expect(snap.addresses[0]!.decreases).toBe(1)
    expect(snap.addresses[0]!.ceiling).toBeCloseTo(9.7, 9)
    expect(snap.addresses[0]!.learnedLimit).toBe(10)
    expect(snap.addresses[0]!.pausedUntil).toBe(clock.t + 10_000)
    expect(snap.inFlight).toBe(0)
    // Address 1 still serves; address 0 does not until the pause passes.
    for (let i = 0; i < 5; i++) {
      clock.t += 200
      const p = expectPermit(limiter.tryAcquire())
      expect(p.addressIndex).toBe(1)
      p.release({ kind: "ok", latencyMs: 30 })
    }
    clock.t += 10_000
    const seen = new Set<number>()
    for (let i = 0; i < 4; i++) {
      clock.t += 200
      const p = expectPermit(limiter.tryAcquire())
      seen.add(p.addressIndex)
      p.release({ kind: "ok", latencyMs: 30 })
    }
    expect(seen.has(0)).toBe(true)
  })

  test("SystemDisabled pauses every address until the wait passes or resume()", () => {
    const clock = makeClock()
    const { limiter } = createSharedLimiter({ addresses: 2, disabledPauseMs: 60_000 }, { now: clock.now, random: () => 0 })
    const p = expectPermit(limiter.tryAcquire())
    p.release({ kind: "disabled", latencyMs: 40 })
    const r = limiter.tryAcquire()
    expect(r).toEqual({ kind: "wait", waitMs: 60_000, reason: "paused" })
    expect(limiter.snapshot().pauseReason).toBe("disabled")
    limiter.resume()
    expect(limiter.snapshot().pauseReason).toBe("none")
    expectPermit(limiter.tryAcquire()).release({ kind: "ok", latencyMs: 40 })
    limiter.pauseUntil(clock.t + 5_000, "manual")
    limiter.pauseUntil(clock.t + 1_000, "manual") // a shorter pause never shortens
    expect(limiter.tryAcquire()).toEqual({ kind: "wait", waitMs: 5_000, reason: "paused" })
  })

  test("game-server throttle: short global pause and lower concurrency, once per episode", () => {
    const clock = makeClock()
    const { limiter } = createSharedLimiter(
      { addresses: 1, initialConcurrency: 20, serverThrottlePauseMs: 1_000, initialCeiling: 30 },
      { now: clock.now, random: () => 0 },
    )
    const permits = [expectPermit(limiter.tryAcquire()), expectPermit(limiter.tryAcquire())]
    clock.t += 50
    for (const p of permits) p.release({ kind: "serverThrottled", latencyMs: 50 })
    const snap = limiter.snapshot()
    expect(snap.concurrencyLimit).toBe(14)
    expect(snap.pausedUntil).toBe(clock.t + 1_000)
    expect(snap.pauseReason).toBe("serverThrottled")
    expect(snap.addresses[0]!.decreases).toBe(0) // not a per-address rate signal
  })

  test("in-flight permits are bounded by the concurrency limit", () => {
    const clock = makeClock()
    const { limiter } = createSharedLimiter(
      { addresses: 1, initialConcurrency: 3, minConcurrency: 1, maxConcurrency: 3, initialCeiling: 30, burstSeconds: 1 },
      { now: clock.now },
    )
    const held = [expectPermit(limiter.tryAcquire()), expectPermit(limiter.tryAcquire()), expectPermit(limiter.tryAcquire())]
    expect(limiter.tryAcquire()).toMatchObject({ kind: "wait", reason: "concurrency" })
    held[0]!.release({ kind: "notFound", latencyMs: 20 })
    expectPermit(limiter.tryAcquire())
    expect(limiter.snapshot().inFlight).toBe(3)
  })

  test("attach sees the same state; a foreign buffer is refused; acquire honours abort", async () => {
    const clock = makeClock()
    const { buffer, limiter } = createSharedLimiter({ addresses: 3, initialCeiling: 12 }, { now: clock.now })
    const other = attachLimiter(buffer, { now: clock.now })
    expect(other.options.addresses).toBe(3)
    expect(other.options.initialCeiling).toBe(12)
    expectPermit(other.tryAcquire())
    expect(limiter.snapshot().inFlight).toBe(1)
    expect(() => attachLimiter(new SharedArrayBuffer(4096))).toThrow(/not created/)
    limiter.pauseUntil(clock.t + 60_000, "manual")
    const controller = new AbortController()
    const pending = other.acquire(controller.signal)
    setTimeout(() => controller.abort(new Error("shutdown")), 20)
    await expect(pending).rejects.toThrow("shutdown")
  })

  test("acquire waits through a pause and returns once it passes", async () => {
    const { limiter } = createSharedLimiter({ addresses: 1 })
    limiter.pauseUntil(limiter.now() + 60, "manual")
    const start = performance.now()
    const permit = await limiter.acquire()
    expect(performance.now() - start).toBeGreaterThanOrEqual(55)
    permit.release({ kind: "ok", latencyMs: 1 })
  })

  test("options are validated with the key and value in the message", () => {
    expect(() => createSharedLimiter({ addresses: 0 })).toThrow(/addresses.*got 0/)
    expect(() => createSharedLimiter({ decreaseFactor: 1.5 })).toThrow(/decreaseFactor/)
    expect(() => createSharedLimiter({ initialCeiling: 50, maxCeiling: 30 })).toThrow(/initialCeiling/)
  })
})

/**
 * A fake of Bungie's per-source-address throttle for virtual-time simulations: a request is
 * refused (code 51, ThrottleSeconds) when accepting it would lift the address's average over
 * the rolling window above `limitPerSec`. Two documented readings of "blocked":
 * - "whileOver": refused only while the window is over the limit;
 * - "penalty": once over, every request is refused for ThrottleSeconds.
 * `countRefused` decides whether refused requests also fill the window (they reach the server).
 */

export interface FakeThrottleOptions {
  limitPerSec: number
  windowMs: number
  throttleSeconds: number
  mode: "whileOver" | "penalty"
  countRefused: boolean
}

export interface FakeThrottleAnswer {
  throttled: boolean
  waitMs: number
}

export function createFakeThrottle(o: FakeThrottleOptions): { arrive(now: number): FakeThrottleAnswer } {
  const arrivals: number[] = []
  let head = 0
  let blockedUntil = Number.NEGATIVE_INFINITY
  const allowed = (o.limitPerSec * o.windowMs) / 1000
  return {
    arrive(now: number): FakeThrottleAnswer {
      while (head < arrivals.length && arrivals[head]! <= now - o.windowMs) head++
      if (head > 4096 && head * 2 > arrivals.length) {
        arrivals.splice(0, head)
        head = 0
      }
      const count = arrivals.length - head
      const refuse = now < blockedUntil || count + 1 > allowed
      if (refuse && o.mode === "penalty" && now >= blockedUntil) blockedUntil = now + o.throttleSeconds * 1000
      if (!refuse || o.countRefused) arrivals.push(now)
      return { throttled: refuse, waitMs: o.throttleSeconds * 1000 }
    },
  }
}

import { describe, expect, test } from "bun:test"
import type { FetcherStats } from "../shared/messages.ts"
import type { CoordinatorStatus } from "./coordinator.ts"
import { buildStatusReport, judgeBungie } from "./status-report.ts"
import { StatusTracker } from "./status-tracker.ts"

describe("judgeBungie", () => {
  test("maintenance: a disabled pause, or only code 5 answers in the last minute", () => {
    expect(judgeBungie("disabled", { ok: 10 })).toBe("disabled")
    expect(judgeBungie("none", { disabled: 3 })).toBe("disabled")
    expect(judgeBungie("none", { disabled: 3, ok: 1 })).toBe("available")
  })
  test("game-server throttling, per-address throttles only, errors only, silence", () => {
    expect(judgeBungie("serverThrottled", { ok: 5 })).toBe("throttled")
    expect(judgeBungie("none", { throttled: 4 })).toBe("throttled")
    expect(judgeBungie("none", { transient: 4 })).toBe("failing")
    expect(judgeBungie("none", {})).toBe("unknown")
    expect(judgeBungie("none", { notFound: 2 })).toBe("available")
  })
})

describe("buildStatusReport", () => {
  test("ids as decimal strings, behind = frontier - low-water mark, never negative", () => {
    const base = {
      crawler: "atlas",
      source: "atlas" as const,
      now: 60_000,
      lagPoints: [{ at: 45_000, p50Seconds: 30 }],
      lagWindowMs: 300_000,
      share404: 0.025,
      bungie: "available" as const,
      resolvedPerSecond: 50,
    }
    const r = buildStatusReport({ ...base, lowWaterMark: 17_199_000_000_123n, frontierEstimate: 17_199_000_001_123n })
    expect(r).toMatchObject({
      lowWaterMark: "17199000000123",
      frontierEstimate: "17199000001123",
      behindIds: "1000",
      online: true,
      caughtUp: true,
      lag: { p50Seconds: 30, windowSeconds: 300, points: 1 },
      generatedAt: "1970-01-01T00:01:00.000Z",
    })
    expect(buildStatusReport({ ...base, lowWaterMark: 10n, frontierEstimate: 5n }).behindIds).toBe("0")
    expect(buildStatusReport({ ...base, lowWaterMark: 10n, frontierEstimate: null }).behindIds).toBeNull()
    expect(buildStatusReport({ ...base, lowWaterMark: 10n, frontierEstimate: null, share404: Number.NaN }).share404).toBeNull()
  })
})

describe("StatusTracker", () => {
  const stats = (over: Partial<FetcherStats>): FetcherStats => ({
    results: {},
    notFoundFirst: 0,
    firstTries: 0,
    lagSamples: [],
    raids: 0,
    nonRaids: 0,
    missed: 0,
    inFlight: 0,
    retryQueue: 0,
    latencyMs: 0,
    newest: null,
    ...over,
  })
  const status = (lowWater: bigint): Pick<CoordinatorStatus, "lowWater" | "decision"> => ({ lowWater, decision: null })

  test("lags from committed raids and from the fetchers' non-raid samples; answers of the last minute only", () => {
    let now = 1_000_000
    const t = new StatusTracker({ crawler: "atlas", now: () => now })
    // A raid completed 40 s before its commit, non-raids resolved 20 s after their end.
    t.onWriterMessage({ type: "batch", items: 1, raids: 1, stored: 1, missed: 0, durationMs: 5, completedAt: [now - 40_000] })
    t.onFetcherMessage({ type: "stats", worker: 0, stats: stats({ lagSamples: [20, 20], results: { disabled: 2 } }) })
    let r = t.report(status(100n), "none")
    expect(r.lag.p50Seconds).toBe(20)
    expect(r.bungie).toBe("disabled")
    expect(r.online).toBe(true)
    now += 61_000
    t.onFetcherMessage({ type: "stats", worker: 0, stats: stats({ results: { ok: 3 } }) })
    r = t.report(status(100n), "none")
    expect(r.bungie).toBe("available")
    expect(t.recentResults()).toEqual({ ok: 3 })
  })
})

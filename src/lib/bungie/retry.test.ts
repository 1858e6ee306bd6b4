import { describe, expect, test } from "bun:test"
import type { BungieMeta, BungieResult } from "./result.ts"
import { type AttemptContext, type AttemptReport, applyCacheBust, DEFAULT_RETRY_POLICY, runWithRetry } from "./retry.ts"

function meta(httpStatus: number | null, errorCode: number | null = null): BungieMeta {
  return { httpStatus, errorCode, errorStatus: errorCode === null ? null : `code${errorCode}`, attempts: 1, latencyMs: 5 }
}

/** A scripted attempt function: returns the given results in order and records each context. */
function script(results: BungieResult<string>[]) {
  const contexts: AttemptContext[] = []
  const fn = async (context: AttemptContext) => {
    contexts.push(context)
    const next = results[Math.min(contexts.length - 1, results.length - 1)]!
    return next
  }
  return { fn, contexts }
}

function recorder() {
  const sleeps: number[] = []
  const reports: AttemptReport[] = []
  return {
    sleeps,
    reports,
    hooks: { sleep: async (ms: number) => void sleeps.push(ms), onAttempt: (r: AttemptReport) => void reports.push(r), random: () => 0.5 },
  }
}

const transient502: BungieResult<string> = { kind: "transient", reason: 'HTTP 502: HTML page "502 Bad Gateway"', meta: meta(502) }
const transient1626: BungieResult<string> = { kind: "transient", reason: "ErrorCode 1626 DestinyInternalError", meta: meta(500, 1626) }
const badFormat: BungieResult<string> = { kind: "badFormat", reason: "Success envelope with Response null", meta: meta(200, 1) }
const ok: BungieResult<string> = { kind: "ok", value: "pgcr", meta: meta(200, 1) }

describe("runWithRetry", () => {
  test("gives up after maxAttempts with the LAST real status, code and reason", async () => {
    const { fn, contexts } = script([transient502, transient502, transient502, transient1626])
    const { hooks, sleeps, reports } = recorder()
    const result = await runWithRetry(fn, DEFAULT_RETRY_POLICY, hooks)
    expect(contexts.length).toBe(4)
    expect(result).toEqual({ kind: "transient", reason: "ErrorCode 1626 DestinyInternalError", meta: { ...meta(500, 1626), attempts: 4 } })
    expect(sleeps.length).toBe(3)
    expect(reports.map((r) => [r.attempt, r.kind, r.willRetry])).toEqual([
      [1, "transient", true],
      [2, "transient", true],
      [3, "transient", true],
      [4, "transient", false],
    ])
  })

  test("cache-busting params: retry=N after transient, malformed_retry=N after badFormat", async () => {
    const { fn, contexts } = script([transient502, badFormat, transient502, ok])
    const { hooks } = recorder()
    const result = await runWithRetry(fn, DEFAULT_RETRY_POLICY, hooks)
    expect(result.kind).toBe("ok")
    expect(result.meta.attempts).toBe(4)
    expect(contexts.map((c) => c.cacheBust)).toEqual([
      null,
      { param: "retry", value: 1 },
      { param: "malformed_retry", value: 2 },
      { param: "retry", value: 3 },
    ])
    expect(contexts.map((c) => applyCacheBust("https://stats.example/Platform/X/1/", c.cacheBust))).toEqual([
      "https://stats.example/Platform/X/1/",
      "https://stats.example/Platform/X/1/?retry=1",
      "https://stats.example/Platform/X/1/?malformed_retry=2",
      "https://stats.example/Platform/X/1/?retry=3",
    ])
  })

  for (const kind of ["throttled", "disabled", "notFound", "blocked", "fatal", "ok"] as const) {
    test(`${kind} is returned at once, never retried here`, async () => {
      const result: BungieResult<string> =
        kind === "throttled"
          ? { kind, waitMs: 10_000, waitHinted: true, meta: meta(429, 51) }
          : kind === "fatal"
            ? { kind, reason: "ErrorCode 2101", meta: meta(401, 2101) }
            : kind === "ok"
              ? ok
              : { kind, meta: meta(404, 1653) }
      const { fn, contexts } = script([result, ok])
      const { hooks, sleeps } = recorder()
      const out = await runWithRetry(fn, DEFAULT_RETRY_POLICY, hooks)
      expect(out).toEqual({ ...result, meta: { ...result.meta, attempts: 1 } })
      expect(contexts.length).toBe(1)
      expect(sleeps).toEqual([])
    })
  }

  test("a throttle after a transient ends the loop and keeps attempts", async () => {
    const throttled: BungieResult<string> = { kind: "throttled", waitMs: 10_000, waitHinted: true, meta: meta(429, 51) }
    const { fn } = script([transient502, throttled])
    const out = await runWithRetry(fn, DEFAULT_RETRY_POLICY, recorder().hooks)
    expect(out.kind).toBe("throttled")
    expect(out.meta.attempts).toBe(2)
  })

  test("beforeAttempt is awaited before every request", async () => {
    const order: string[] = []
    const { fn } = script([transient502, ok])
    await runWithRetry(
      async (c) => {
        order.push(`request ${c.attempt}`)
        return fn(c)
      },
      DEFAULT_RETRY_POLICY,
      {
        sleep: async () => void order.push("sleep"),
        beforeAttempt: async (c) => {
          await Bun.sleep(1)
          order.push(`acquire ${c.attempt}`)
        },
      },
    )
    expect(order).toEqual(["acquire 1", "request 1", "sleep", "acquire 2", "request 2"])
  })

  test("maxAttempts 1 means no retry", async () => {
    const { fn, contexts } = script([transient502, ok])
    const out = await runWithRetry(fn, { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 }, recorder().hooks)
    expect(out.kind).toBe("transient")
    expect(contexts.length).toBe(1)
  })
})

describe("backoff between attempts", () => {
  test("the shared backoff with the policy's bounds: doubling, capped, jittered below the step", async () => {
    const results = Array.from({ length: 7 }, () => transient502)
    const { fn } = script([...results, ok])
    const sleeps: number[] = []
    const policy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 4_000, jitter: 0.25 }
    await runWithRetry(fn, policy, { sleep: async (ms) => void sleeps.push(ms), random: () => 0 })
    expect(sleeps).toEqual([188, 375, 750, 1500, 3000, 3000, 3000])
  })
})

describe("applyCacheBust", () => {
  test("appends with & when the URL already has a query", () => {
    expect(applyCacheBust("https://x/Platform/P/?components=100", { param: "retry", value: 2 })).toBe(
      "https://x/Platform/P/?components=100&retry=2",
    )
  })
})

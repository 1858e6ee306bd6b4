import { describe, expect, test } from "bun:test"
import { createIdHistory, DEFAULT_RETRY_POLICY, decideRetry, totalScheduleMs } from "./retry-policy.ts"

const fixed = () => 0.5

describe("decideRetry", () => {
  test("404 at the head follows the whole schedule, then the ledger", () => {
    const history = createIdHistory()
    const delays: number[] = []
    for (;;) {
      const decision = decideRetry("notFound", history, 1_000n, 1_010n, 0, DEFAULT_RETRY_POLICY, fixed)
      if (decision.action === "ledger") {
        expect(decision.reason).toBe("notFound")
        break
      }
      delays.push(decision.delayMs)
    }
    expect(delays).toEqual([...DEFAULT_RETRY_POLICY.notFoundScheduleMs])
    const total = delays.reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThan(5 * 60_000) // late batches are minutes late
    expect(total).toBeLessThan(15 * 60_000)
  })

  test("404 at the head is a fast retry; a hole (existing ids well past it) is patient, its delay growing with the time missing", () => {
    const head = createIdHistory()
    const atHead = decideRetry("notFound", head, 1_000n, 1_000n + DEFAULT_RETRY_POLICY.holeMarginIds - 1n, 0, DEFAULT_RETRY_POLICY, fixed)
    expect(atHead).toMatchObject({ action: "retry", patient: false, delayMs: DEFAULT_RETRY_POLICY.notFoundScheduleMs[0] })
    expect(head.hole).toBe(false)

    // Same id, later: the head moved on and it is still missing, so it is a hole now.
    const newest = 1_000n + DEFAULT_RETRY_POLICY.holeMarginIds
    const delays: number[] = []
    let now = 500
    for (;;) {
      const d = decideRetry("notFound", head, 1_000n, newest, now, DEFAULT_RETRY_POLICY, fixed)
      if (d.action === "ledger") break
      expect(d.patient).toBe(true)
      delays.push(d.delayMs)
      now += d.delayMs
    }
    expect(head.hole).toBe(true)
    expect(delays[0]).toBe(DEFAULT_RETRY_POLICY.holeMinDelayMs)
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!)
    expect(Math.max(...delays)).toBe(DEFAULT_RETRY_POLICY.holeMaxDelayMs)
    // Holes are kept as long as head ids (late clumps come minutes late) with far fewer requests.
    expect(now).toBeGreaterThanOrEqual(totalScheduleMs(DEFAULT_RETRY_POLICY))
    expect(delays.length).toBeLessThan(DEFAULT_RETRY_POLICY.notFoundScheduleMs.length / 1.5)
  })

  test("404 deep in history: three tries, then the ledger with a retry time", () => {
    const history = createIdHistory()
    expect(decideRetry("notFound", history, 1n, 1_000_000n, 0, DEFAULT_RETRY_POLICY, fixed).action).toBe("retry")
    expect(decideRetry("notFound", history, 1n, 1_000_000n, 0, DEFAULT_RETRY_POLICY, fixed).action).toBe("retry")
    const last = decideRetry("notFound", history, 1n, 1_000_000n, 5, DEFAULT_RETRY_POLICY, fixed)
    expect(last).toEqual({ action: "ledger", reason: "notFound", nextRetryAt: 5 + DEFAULT_RETRY_POLICY.ledgerRetryMs.notFound })
  })

  test("incomplete is refetched on its schedule with a cache buster, then ledgered", () => {
    const history = createIdHistory()
    const delays: number[] = []
    for (;;) {
      const d = decideRetry("incomplete", history, 1n, 1n, 0, DEFAULT_RETRY_POLICY, fixed)
      if (d.action === "ledger") {
        expect(d.reason).toBe("incomplete")
        break
      }
      expect(d).toMatchObject({ cacheBust: true, patient: true })
      delays.push(d.delayMs)
    }
    expect(delays).toEqual([...DEFAULT_RETRY_POLICY.incompleteScheduleMs])
    // Bungie completes a first version within minutes: keep trying about five minutes.
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4 * 60_000)
  })

  test("transient and bad format are bounded; waits are bounded too", () => {
    for (const [failure, limit] of [
      ["transient", DEFAULT_RETRY_POLICY.transientAttempts],
      ["badFormat", DEFAULT_RETRY_POLICY.badFormatAttempts],
      ["wait", DEFAULT_RETRY_POLICY.waitAttempts],
    ] as const) {
      const history = createIdHistory()
      let n = 0
      while (decideRetry(failure, history, 1n, 1n, 0).action === "retry") n++
      expect(n).toBe(limit - 1)
    }
  })
})

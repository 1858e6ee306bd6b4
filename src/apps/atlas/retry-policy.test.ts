import { describe, expect, test } from "bun:test"
import { createIdHistory, decideRetry, DEFAULT_RETRY_POLICY } from "./retry-policy.ts"

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

  test("404 deep in history: three tries, then the ledger with a retry time", () => {
    const history = createIdHistory()
    expect(decideRetry("notFound", history, 1n, 1_000_000n, 0, DEFAULT_RETRY_POLICY, fixed).action).toBe("retry")
    expect(decideRetry("notFound", history, 1n, 1_000_000n, 0, DEFAULT_RETRY_POLICY, fixed).action).toBe("retry")
    const last = decideRetry("notFound", history, 1n, 1_000_000n, 5, DEFAULT_RETRY_POLICY, fixed)
    expect(last).toEqual({ action: "ledger", reason: "notFound", nextRetryAt: 5 + DEFAULT_RETRY_POLICY.ledgerRetryMs.notFound })
  })

  test("incomplete is refetched exactly once, with a cache buster", () => {
    const history = createIdHistory()
    const first = decideRetry("incomplete", history, 1n, 1n, 0, DEFAULT_RETRY_POLICY, fixed)
    expect(first).toEqual({ action: "retry", delayMs: DEFAULT_RETRY_POLICY.incompleteRefetchMs, cacheBust: true })
    expect(decideRetry("incomplete", history, 1n, 1n, 0).action).toBe("ledger")
  })

  test("transient and bad format are bounded; waits are bounded too", () => {
    for (const [failure, limit] of [["transient", DEFAULT_RETRY_POLICY.transientAttempts], ["badFormat", DEFAULT_RETRY_POLICY.badFormatAttempts], ["wait", DEFAULT_RETRY_POLICY.waitAttempts]] as const) {
      const history = createIdHistory()
      let n = 0
      while (decideRetry(failure, history, 1n, 1n, 0).action === "retry") n++
      expect(n).toBe(limit - 1)
    }
  })
})

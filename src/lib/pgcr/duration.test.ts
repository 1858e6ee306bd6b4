import { describe, expect, test } from "bun:test"
import { ABSURD_DURATION_SLACK_SECONDS, guardDuration } from "./duration.ts"

const span = (startSeconds: number, timePlayedSeconds: number) => ({ startSeconds, timePlayedSeconds })

describe("guardDuration", () => {
  test("ordinary reports are untouched", () => {
    expect(guardDuration(3187, [span(0, 3187), span(3, 3184)])).toEqual({ durationSeconds: 3187, clamped: false })
    // Abandoned runs linger ~32 s after the last player leaves (14720975287: 4835 vs 4803).
    expect(guardDuration(4835, [span(1, 4802), span(0, 4803)])).toEqual({ durationSeconds: 4835, clamped: false })
    expect(guardDuration(1000 + ABSURD_DURATION_SLACK_SECONDS, [span(0, 1000)]).clamped).toBe(false)
  })

  test("a duration far past everyone's departure becomes the last departure", () => {
    // bungie.md §10: 27,384 s reported while nobody played past 1,093 s.
    expect(guardDuration(27384, [span(0, 1093), span(10, 500)])).toEqual({ durationSeconds: 1093, clamped: true })
    expect(guardDuration(1001 + ABSURD_DURATION_SLACK_SECONDS, [span(0, 1000)]).durationSeconds).toBe(1000)
  })

  test("capped stats (32767) make the observed end a lower bound: keep the report", () => {
    expect(guardDuration(77731, [span(1, 32767), span(21913, 32767)]).clamped).toBe(false)
    expect(guardDuration(116285, [span(32767, 50), span(23007, 116)]).clamped).toBe(false)
  })

  test("no observed presence at all: keep the report", () => {
    expect(guardDuration(500, [span(0, 0)])).toEqual({ durationSeconds: 500, clamped: false })
    expect(guardDuration(500, [])).toEqual({ durationSeconds: 500, clamped: false })
  })

  test("a report shorter than the observed end is kept (time played is clipped to it instead)", () => {
    expect(guardDuration(100, [span(0, 300)])).toEqual({ durationSeconds: 100, clamped: false })
  })
})

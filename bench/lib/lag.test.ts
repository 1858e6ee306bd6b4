import { describe, expect, test } from "bun:test"
import { computePublicationLag } from "./lag.ts"

describe("computePublicationLag", () => {
  const ids = [
    { id: "1", publishedAt: 1_000, incompleteUntil: null },
    { id: "2", publishedAt: 2_000, incompleteUntil: 40_000 },
    { id: "3", publishedAt: 3_000, incompleteUntil: null },
    { id: "4", publishedAt: 99_000, incompleteUntil: null }, // outside the window
  ]
  test("stored ids give their lag, unstored ones the lag at stop, outside the window ignored", () => {
    const stored = new Map([
      ["1", 2_500],
      ["2", 45_000],
    ])
    const r = computePublicationLag(ids, stored, { from: 0, to: 10_000 }, 13_000)
    expect(r).toMatchObject({ published: 3, stored: 2, unstored: 1 })
    expect(r.lagSeconds.min).toBe(1.5)
    expect(r.lagSeconds.max).toBe(43)
    expect(r.lagSeconds.p50).toBe(10) // id 3: never stored, 13 s - 3 s
    expect(r.lagCompleteSeconds.count).toBe(2)
    expect(r.lagCompleteSeconds.max).toBe(10)
    // From the complete version: id 2 was complete at 40 s and stored at 45 s.
    expect(r.lagFromCompleteSeconds.count).toBe(3)
    expect(r.lagFromCompleteSeconds.min).toBe(1.5)
    expect(r.lagFromCompleteSeconds.max).toBe(10)
  })
})

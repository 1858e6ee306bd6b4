import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../math/seeded-random.ts"
import { advanceWindow, computeWindowCells, computeWindowReadyAt, initWindow, recordWindowSend } from "./sliding-window.ts"

const g = { windowMs: 1_000, slotMs: 100 }

function makeWindow(now = 0): Float64Array {
  const buf = new Float64Array(3 + computeWindowCells(g))
  initWindow(buf, 3, g, now)
  return buf
}

/** Reference: sends with slot start in (now - window - slot, now]. */
function countNaive(sends: number[], now: number): number {
  const current = Math.floor(now / g.slotMs)
  return sends.filter((t) => Math.floor(t / g.slotMs) >= current - g.windowMs / g.slotMs && t <= now).length
}

describe("sliding window", () => {
  test("matches a naive count under random traffic, including long idle gaps", () => {
    const buf = makeWindow()
    const sends: number[] = []
    let t = 0
    const rnd = createSeededRandom(7)
    for (let i = 0; i < 5_000; i++) {
      t += rnd() < 0.01 ? 3_000 * rnd() : 40 * rnd()
      advanceWindow(buf, 3, g, t)
      recordWindowSend(buf, 3, g, t)
      sends.push(t)
      if (i % 7 === 0) expect(advanceWindow(buf, 3, g, t)).toBe(countNaive(sends, t))
    }
  })

  test("never under-counts a send inside the last windowMs", () => {
    const buf = makeWindow()
    advanceWindow(buf, 3, g, 50)
    recordWindowSend(buf, 3, g, 50)
    expect(advanceWindow(buf, 3, g, 1_049)).toBe(1)
    expect(advanceWindow(buf, 3, g, 1_099)).toBe(1)
    expect(advanceWindow(buf, 3, g, 1_100)).toBe(0)
  })

  test("ready time is when enough old slots leave the window", () => {
    const buf = makeWindow()
    for (const t of [0, 10, 150, 420]) {
      advanceWindow(buf, 3, g, t)
      recordWindowSend(buf, 3, g, t)
    }
    advanceWindow(buf, 3, g, 500)
    expect(computeWindowReadyAt(buf, 3, g, 500, 5)).toBe(500)
    // Allowed 4: slot 0 (two sends) must leave: at slot 11 = 1100 ms.
    expect(computeWindowReadyAt(buf, 3, g, 500, 4)).toBe(1_100)
    expect(computeWindowReadyAt(buf, 3, g, 500, 3)).toBe(1_100)
    // Allowed 2: slot 1 (150 ms) must leave too: 1200 ms.
    expect(computeWindowReadyAt(buf, 3, g, 500, 2)).toBe(1_200)
    expect(computeWindowReadyAt(buf, 3, g, 500, 1)).toBe(1_500)
    expect(computeWindowReadyAt(buf, 3, g, 500, 0.5)).toBe(Number.POSITIVE_INFINITY)
  })
})

import { describe, expect, test } from "bun:test"
import { createProgress, formatDuration, renderProgress } from "./progress.ts"

describe("renderProgress", () => {
  test("bar, counts, percent, rate and ETA from the state", () => {
    const line = renderProgress({ label: "hades", unit: "ids", done: 250, total: 1000, elapsedMs: 10_000 })
    expect(line).toBe("hades [######..................] 250/1,000 ids 25.0 % 25.0/s ETA 30.0s")
  })

  test("unknown total: a counter; done: the elapsed time instead of an ETA", () => {
    expect(renderProgress({ label: "", unit: "players", done: 12_345, total: null, elapsedMs: 61_000 })).toBe(
      "12,345 players 202/s in 1m01s",
    )
    expect(renderProgress({ label: "x", unit: "ids", done: 10, total: 10, elapsedMs: 2_000 })).toBe(
      "x [########################] 10/10 ids 100.0 % 5.0/s in 2.0s",
    )
  })

  test("durations", () => {
    expect(formatDuration(4_200)).toBe("4.2s")
    expect(formatDuration(192_000)).toBe("3m12s")
    expect(formatDuration(3_725_000)).toBe("1h02m")
  })
})

describe("createProgress", () => {
  test("off a terminal: at most one line per interval, and always the final line", () => {
    let t = 0
    const lines: string[] = []
    const progress = createProgress({ unit: "ids", total: 100, tty: false, intervalMs: 5_000, now: () => t, write: (s) => lines.push(s) })
    for (let i = 0; i < 100; i++) {
      t += 100
      progress.advance()
    }
    progress.finish()
    // 10 s of work: a line at the first advance, one after 5 s, then the final one.
    expect(lines).toHaveLength(3)
    expect(lines.every((l) => l.endsWith("\n") && !l.startsWith("\r"))).toBe(true)
    expect(lines[2]).toBe("[########################] 100/100 ids 100.0 % 10.0/s in 10.0s\n")
  })

  test("on a terminal: redraws in place and ends the line when finished", () => {
    let t = 0
    const lines: string[] = []
    const progress = createProgress({ unit: "ids", total: 4, tty: true, now: () => t, write: (s) => lines.push(s) })
    t = 1_000
    progress.advance(2)
    progress.finish()
    expect(lines[0]!.startsWith("\r")).toBe(true)
    expect(lines.at(-1)!.endsWith("\n")).toBe(true)
  })
})

import { describe, expect, test } from "bun:test"
import { applyGapProbe, createGapSearch, type GapSearchResult, nextGapProbe } from "./gap-search.ts"

/** Drive the search against an existence predicate. */
function runSearch(start: bigint, exists: (id: bigint) => boolean, maxDistance?: bigint, stepScale?: number, growth = 2): GapSearchResult {
  let s = createGapSearch({ start, maxDistance, stepScale, growth })
  for (let guard = 0; guard < 200; guard++) {
    const probe = nextGapProbe(s)
    if (probe === null) return s.result!
    let first: bigint | null = null
    for (let i = 0n; i < BigInt(probe.count); i++) {
      if (exists(probe.from + i)) {
        first = probe.from + i
        break
      }
    }
    s = applyGapProbe(s, first)
  }
  throw new Error("search did not terminate")
}

describe("gap search", () => {
  test("finds the exact end of dead blocks of many sizes within the probe bound", () => {
    const start = 17_000_000_000n
    for (const size of [1n, 2n, 7n, 1_140n, 9_996n, 15_680n, 1_000_000n, 4_999_990n]) {
      const r = runSearch(start, (id) => id >= start + size)
      expect(r).toMatchObject({ kind: "gap", from: start, to: start + size - 1n, firstExisting: start + size })
      expect(r.probes).toBeLessThanOrEqual(47)
      const slow = runSearch(start, (id) => id >= start + size, undefined, 1.3, 1.5)
      expect(slow).toMatchObject({ kind: "gap", to: start + size - 1n })
      expect(slow.probes).toBeLessThanOrEqual(63)
    }
  })

  test("a lost id inside the live block does not pass for dead (probes are 3 ids wide)", () => {
    const start = 1_000n
    const r = runSearch(start, (id) => id >= 1_700n && id !== 1_750n && id !== 1_703n)
    expect(r).toMatchObject({ kind: "gap", to: 1_699n, firstExisting: 1_700n })
  })

  test("reports none when nothing exists within maxDistance (at the head: skip nothing)", () => {
    const r = runSearch(500n, () => false, 5_000_000n)
    expect(r).toMatchObject({ kind: "none", searchedTo: 500n + 5_000_002n })
    expect(r.probes).toBeLessThanOrEqual(25)
  })

  test("a random step scale lets a later search hit a narrow live band a power-of-two search straddles", () => {
    // Dead for 30,000 ids, live only for the next 2,100 (the rest is not published yet).
    const start = 0n
    const exists = (id: bigint) => id >= 30_000n && id < 32_100n
    expect(runSearch(start, exists).kind).toBe("none")
    let hits = 0
    for (let k = 0; k < 20; k++) {
      const r = runSearch(start, exists, undefined, 1 + k / 20)
      if (r.kind === "gap") {
        hits++
        expect(r).toMatchObject({ from: 0n, to: 29_999n, firstExisting: 30_000n })
      }
    }
    expect(hits).toBeGreaterThanOrEqual(1)
    expect(() => createGapSearch({ start: 0n, stepScale: 2, growth: 2 })).toThrow(/stepScale/)
    expect(() => createGapSearch({ start: 0n, growth: 1 })).toThrow(/growth/)
  })

  test("rejects an answer outside the probe", () => {
    const s = createGapSearch({ start: 10n })
    expect(() => applyGapProbe(s, 500n)).toThrow(/outside the probe/)
  })
})

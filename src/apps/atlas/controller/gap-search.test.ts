import { describe, expect, test } from "bun:test"
import { applyGapProbe, createGapSearch, nextGapProbe, type GapSearchResult } from "./gap-search.ts"

/** Drive the search against an existence predicate. */
function runSearch(start: bigint, exists: (id: bigint) => boolean, maxDistance?: bigint): GapSearchResult {
  let s = createGapSearch({ start, maxDistance })
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

  test("rejects an answer outside the probe", () => {
    const s = createGapSearch({ start: 10n })
    expect(() => applyGapProbe(s, 500n)).toThrow(/outside the probe/)
  })
})

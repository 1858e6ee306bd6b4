import { describe, expect, test } from "bun:test"
import {
  fleetRangeSizes,
  globalLowWater,
  isTakeable,
  type LeaseRow,
  leaderAction,
  parkHoldFor,
  planClaim,
  planRangeSize,
} from "./lease-plan.ts"

const sizes = { minSize: 100n, maxSize: 10_000n, distanceDivisor: 10n }

function lease(start: bigint, end: bigint, over: Partial<LeaseRow> = {}): LeaseRow {
  return { leaseId: start, rangeStart: start, rangeEnd: end, owner: "a", state: "leased", expiresAt: 10_000, resumeFrom: null, ...over }
}

describe("planRangeSize", () => {
  test("small at the head, large far behind, bounded both ways", () => {
    expect(planRangeSize(1_000n, 1_000n, sizes)).toBe(100n)
    expect(planRangeSize(2_000n, 1_000n, sizes)).toBe(100n)
    expect(planRangeSize(0n, 5_000n, sizes)).toBe(500n)
    expect(planRangeSize(0n, 10_000_000n, sizes)).toBe(10_000n)
    expect(planRangeSize(0n, null, sizes)).toBe(10_000n)
  })
})

describe("fleetRangeSizes", () => {
  test("the head size is a 40th of the largest, at least 10 (or the largest when smaller)", () => {
    expect(fleetRangeSizes(20_000)).toEqual({ minSize: 500n, maxSize: 20_000n, distanceDivisor: 8n })
    expect(fleetRangeSizes(100).minSize).toBe(10n)
    expect(fleetRangeSizes(10).minSize).toBe(10n)
  })
})

describe("parkHoldFor", () => {
  test("a parked range waits about as long as its youngest hole has been missing, within the bounds", () => {
    const now = 1_000_000
    expect(parkHoldFor(now, now - 40_000, 15_000, 120_000)).toBe(40_000)
    expect(parkHoldFor(now, now - 2_000, 15_000, 120_000)).toBe(15_000)
    expect(parkHoldFor(now, now - 600_000, 15_000, 120_000)).toBe(120_000)
    expect(parkHoldFor(now, null, 15_000, 120_000)).toBe(15_000)
  })
})

describe("planClaim", () => {
  const base = { now: 5_000, origin: 1_000n, end: 50_000n, head: null, leader: false, sizes }

  test("an empty fleet starts at the origin", () => {
    expect(planClaim([], base)).toEqual({ kind: "fresh", start: 1_000n, end: 11_000n })
  })

  test("a fresh range starts at the top of every lease and stops at the end", () => {
    const leases = [lease(1_000n, 11_000n, { state: "done" }), lease(11_000n, 45_000n)]
    expect(planClaim(leases, base)).toEqual({ kind: "fresh", start: 45_000n, end: 50_000n })
  })

  test("an expired lease is taken over from resume_from before anything fresh; a live one is not", () => {
    const dead = lease(3_000n, 4_000n, { expiresAt: 4_999, resumeFrom: 3_250n })
    const live = lease(1_000n, 3_000n, { expiresAt: 5_001, resumeFrom: 1_500n })
    const plan = planClaim([live, dead], base)
    expect(plan).toEqual({ kind: "takeover", lease: dead, from: 3_250n })
    expect(isTakeable(live, 5_000)).toBe(false)
    expect(isTakeable(dead, 5_000)).toBe(true)
    // The injected clock decides: a moment earlier the dead lease was still live.
    expect(planClaim([live, dead], { ...base, now: 4_000 }).kind).toBe("fresh")
  })

  test("following the head, the leader leaves parked ranges to the other live processes, not a dead owner's range", () => {
    const head = { ...base, end: null, head: 100_000n, leader: true, owner: "leader" }
    const parked = lease(2_000n, 3_000n, { state: "released", expiresAt: 4_000, resumeFrom: 2_700n, owner: "leader" })
    const other = lease(3_000n, 4_000n, { owner: "other", expiresAt: 9_000 })
    const top = lease(4_000n, 99_000n, { owner: "leader", state: "done" })
    // Another process is alive: the leader goes to the head; the other takes the parked range.
    expect(planClaim([parked, other, top], head)).toEqual({ kind: "fresh", start: 99_000n, end: 99_100n })
    expect(planClaim([parked, other, top], { ...head, leader: false, owner: "other" }).kind).toBe("takeover")
    // Alone, the leader serves the parked range (its holes would wait forever otherwise).
    expect(planClaim([parked, { ...other, expiresAt: 4_000, state: "done" as const }, top], head).kind).toBe("takeover")
    // A dead owner's range (expired, never released) comes first even with others alive.
    const dead = lease(1_000n, 2_000n, { owner: "dead", expiresAt: 4_000 })
    expect(planClaim([dead, parked, other, top], head)).toEqual({ kind: "takeover", lease: dead, from: 1_000n })
    // A process between ranges holds no lease but was seen lately (crawl.fleet_member): it counts.
    const othersDone = [parked, { ...other, expiresAt: 4_000, state: "done" as const }, top]
    expect(planClaim(othersDone, { ...head, othersSeen: 1 })).toEqual({ kind: "fresh", start: 99_000n, end: 99_100n })
    expect(planClaim(othersDone, { ...head, othersSeen: 0 }).kind).toBe("takeover")
    // A bounded fleet has no head to keep: parked ranges are taken in order as before.
    expect(planClaim([parked, other, top], { ...head, end: 200_000n }).kind).toBe("takeover")
  })

  test("a released lease is taken from its resume point once its expiry passed; a finished release never", () => {
    const released = lease(2_000n, 3_000n, { state: "released", expiresAt: 5_000, resumeFrom: 2_700n })
    expect(planClaim([released], base)).toEqual({ kind: "takeover", lease: released, from: 2_700n })
    // Parked (released with a later expiry): held back until then.
    const parked = { ...released, expiresAt: 6_000 }
    expect(planClaim([parked], base).kind).toBe("fresh")
    expect(planClaim([parked], { ...base, now: 6_000 }).kind).toBe("takeover")
    const finished = lease(2_000n, 3_000n, { state: "released", resumeFrom: 3_000n })
    expect(isTakeable(finished, 5_000)).toBe(false)
    expect(isTakeable(lease(1n, 2n, { state: "done", expiresAt: 0 }), 5_000)).toBe(false)
  })

  test("a bounded fleet says done only when every lease is done", () => {
    const end = { ...base, end: 2_000n }
    expect(planClaim([lease(1_000n, 2_000n, { expiresAt: 9_999 })], end)).toEqual({ kind: "none", reason: "allLeased" })
    expect(planClaim([lease(1_000n, 2_000n, { state: "done" })], end)).toEqual({ kind: "none", reason: "rangeDone" })
  })

  test("following the head: the leader leases at the head, others only wholly behind it", () => {
    const open = { ...base, end: null, head: 1_050n }
    expect(planClaim([], { ...open, leader: true })).toEqual({ kind: "fresh", start: 1_000n, end: 1_100n })
    expect(planClaim([], open)).toEqual({ kind: "none", reason: "atHead" })
    expect(planClaim([], { ...open, head: null })).toEqual({ kind: "none", reason: "atHead" })
    // Far behind the head (a catch-up) everyone takes large ranges.
    expect(planClaim([], { ...open, head: 1_000_000n })).toEqual({ kind: "fresh", start: 1_000n, end: 11_000n })
  })
})

describe("globalLowWater", () => {
  test("the contiguous resolved run from the origin", () => {
    const leases = [
      lease(1_000n, 2_000n, { state: "done" }),
      lease(2_000n, 3_000n, { resumeFrom: 2_400n }),
      lease(3_000n, 4_000n, { state: "done" }),
    ]
    expect(globalLowWater(1_000n, leases)).toBe(2_400n)
    expect(globalLowWater(1_000n, [])).toBe(1_000n)
    // A hole at the origin holds the mark there, whatever is done above it.
    expect(globalLowWater(500n, leases)).toBe(500n)
    expect(globalLowWater(1_000n, [...leases.slice(0, 1), { ...leases[1]!, state: "done" }, leases[2]!])).toBe(4_000n)
  })
})

describe("leaderAction", () => {
  test("renew mine, take a free or expired one, wait on a live one", () => {
    expect(leaderAction(null, "me", 0)).toBe("take")
    expect(leaderAction({ owner: "me", expiresAt: 0 }, "me", 10)).toBe("renew")
    expect(leaderAction({ owner: "x", expiresAt: 10 }, "me", 10)).toBe("take")
    expect(leaderAction({ owner: "x", expiresAt: 11 }, "me", 10)).toBe("wait")
  })
})

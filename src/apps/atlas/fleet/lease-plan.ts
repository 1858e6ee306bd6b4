/**
 * The fleet's lease decisions, pure (times are passed in; the store uses Postgres's clock so
 * boxes with skewed clocks agree). Several atlas processes share one crawler's id space through
 * crawl.id_range_lease: each range [start, end) is leased to one owner at a time; an owner
 * heartbeats its lease and records resume_from (every id below it inside the range is resolved).
 *
 * Which range a process takes next:
 *   1. a takeover: the lowest range whose lease expired (its owner died) or was released (its
 *      owner stopped, or parked it: every id tried, only holes left waiting for publication; a
 *      parked range is held back until its expiry), resumed at resume_from and from the range's
 *      own checkpoint, so nothing resolved is fetched again;
 *   2. else a fresh range at the top of the leased space, if the process may take one: in a
 *      bounded fleet always, following the head only the leader (exactly one process at a time),
 *      and others only while the fresh range lies wholly behind the head (a catch-up).
 * Following the head, the leader leaves released ranges to the other live processes: it alone can
 * keep the head fresh. Most are parked (only holes left, whose next try can wait); the others were
 * handed back by a process that stopped or went to the head itself, and another process takes
 * them as its first choice. A dead owner's range (expired, not released) the leader still takes
 * first: its ids may never have been tried. A leader alone serves released ranges too.
 * Fresh ranges are small near the head (a range's end is not published yet, so it stays leased
 * for long; a small one lets the low-water mark move) and large far behind (fewer claims).
 */
import { maxBigint, minBigint } from "../../../lib/bigint.ts"

export type LeaseState = "leased" | "done" | "released"

export interface LeaseRow {
  leaseId: bigint
  rangeStart: bigint
  rangeEnd: bigint
  owner: string
  state: LeaseState
  /** ms since the epoch. */
  expiresAt: number
  resumeFrom: bigint | null
}

export interface RangeSizeOptions {
  /** Size of a range at (or past) the head. */
  minSize: bigint
  /** Size of a range far behind the head. */
  maxSize: bigint
  /** A range is this fraction of its distance behind the head (between the bounds). */
  distanceDivisor: bigint
}

export const DEFAULT_RANGE_SIZES: RangeSizeOptions = { minSize: 500n, maxSize: 20_000n, distanceDivisor: 8n }

/** Sizes from the largest (ATLAS_FLEET_MAX_RANGE): near the head a 40th of it, at least 10 ids. */
export function fleetRangeSizes(maxSize: number): RangeSizeOptions {
  const max = BigInt(maxSize)
  const min = max / 40n < 10n ? minBigint(10n, max) : max / 40n
  return { minSize: min, maxSize: max, distanceDivisor: 8n }
}

/** Range size for a range starting `start` with the head at `head` (null: unknown, i.e. far behind). */
export function planRangeSize(start: bigint, head: bigint | null, o: RangeSizeOptions = DEFAULT_RANGE_SIZES): bigint {
  if (head === null) return o.maxSize
  const distance = head - start
  if (distance <= 0n) return o.minSize
  const size = distance / o.distanceDivisor
  return maxBigint(o.minSize, minBigint(size, o.maxSize))
}

/**
 * How long a parked range is held back: until its holes' next try, which the patient 404 schedule
 * puts at about the time they have been missing (retry-policy.ts), so a range is revisited about
 * as often as its holes would be tried in one process (15 s, 30 s, 1 min, 2 min…), not every
 * `minMs`. Each revisit costs a range's start-up and the park wait, time the head does not get.
 * `holesSince`: when the youngest hole began waiting (epoch ms); null: unknown, `minMs`.
 */
export function parkHoldFor(now: number, holesSince: number | null, minMs: number, maxMs: number): number {
  if (holesSince === null || !Number.isFinite(holesSince)) return minMs
  return Math.max(minMs, Math.min(maxMs, now - holesSince))
}

/** True when another owner may take this lease over now. */
export function isTakeable(lease: LeaseRow, now: number): boolean {
  if (lease.state === "done") return false
  // A released range may be held back until its expiry (parked: its holes wait for publication).
  if (lease.state === "released") return resumePoint(lease) < lease.rangeEnd && lease.expiresAt <= now
  return lease.expiresAt <= now
}

/** Every id of the range is resolved (done, or released at its end). */
export function isFinished(lease: LeaseRow): boolean {
  return lease.state === "done" || resumePoint(lease) >= lease.rangeEnd
}

/** Where work on a lease goes on: resume_from, else its start. */
export function resumePoint(lease: LeaseRow): bigint {
  return lease.resumeFrom ?? lease.rangeStart
}

export interface ClaimContext {
  now: number
  /** Where the fleet starts when nothing was leased yet. */
  origin: bigint
  /** Exclusive end of a bounded fleet; null = follow the head. */
  end: bigint | null
  /** Newest id known to exist (the leader's frontier estimate); null = unknown. */
  head: bigint | null
  /** This process holds the leader lease (it alone may lease at the head). */
  leader: boolean
  /** This process's owner name (to tell the other live processes apart); unknown: none. */
  owner?: string
  /**
   * Other processes of the fleet seen lately, leased or not (lease-store.ts, crawl.fleet_member):
   * one between ranges holds no lease but will take a parked range at its next poll.
   */
  othersSeen?: number
  sizes?: RangeSizeOptions
  /** A non-leader leases a fresh range only if it ends at least this far behind the head. */
  behindHeadMargin?: bigint
}

export type ClaimPlan =
  | { kind: "takeover"; lease: LeaseRow; from: bigint }
  | { kind: "fresh"; start: bigint; end: bigint }
  | { kind: "none"; reason: "allLeased" | "rangeDone" | "atHead" }

/** The next range for a process, given every lease of the crawler. */
export function planClaim(leases: readonly LeaseRow[], c: ClaimContext): ClaimPlan {
  const othersLive =
    (c.othersSeen ?? 0) > 0 ||
    (c.owner !== undefined && leases.some((l) => l.state === "leased" && l.expiresAt > c.now && l.owner !== c.owner))
  const leavesParked = c.leader && c.end === null && othersLive
  const takeable = leases
    .filter((l) => isTakeable(l, c.now) && !(leavesParked && l.state === "released"))
    .sort((a, b) => cmp(a.rangeStart, b.rangeStart))
  const first = takeable[0]
  if (first) return { kind: "takeover", lease: first, from: resumePoint(first) }
  // The origin only starts an empty fleet: later processes continue where the leases end.
  let top = leases.length === 0 ? c.origin : leases[0]!.rangeEnd
  for (const l of leases) if (l.rangeEnd > top) top = l.rangeEnd
  if (c.end !== null && top >= c.end) {
    return { kind: "none", reason: leases.every(isFinished) ? "rangeDone" : "allLeased" }
  }
  let size = planRangeSize(top, c.head, c.sizes)
  let end = top + size
  if (c.end !== null && end > c.end) {
    end = c.end
    size = end - top
  }
  if (c.end === null && !c.leader) {
    const margin = c.behindHeadMargin ?? (c.sizes ?? DEFAULT_RANGE_SIZES).minSize
    if (c.head === null || end + margin > c.head) return { kind: "none", reason: "atHead" }
  }
  return { kind: "fresh", start: top, end }
}

/**
 * The global low-water mark: every id below it is resolved. Resolved pieces are done leases
 * whole and, of the others, [range_start, resume_from); the mark is the end of the contiguous
 * resolved run from `origin` (or `origin` itself when nothing there is resolved).
 */
export function globalLowWater(origin: bigint, leases: readonly LeaseRow[]): bigint {
  const pieces: [bigint, bigint][] = []
  for (const l of leases) {
    const to = l.state === "done" ? l.rangeEnd : resumePoint(l)
    if (to > l.rangeStart) pieces.push([l.rangeStart, to])
  }
  pieces.sort((a, b) => cmp(a[0], b[0]))
  let mark = origin
  for (const [from, to] of pieces) {
    if (from > mark) break
    if (to > mark) mark = to
  }
  return mark
}

/** Lowest start over the leases (where the fleet began), or null for none. */
export function leasedOrigin(leases: readonly LeaseRow[]): bigint | null {
  let low: bigint | null = null
  for (const l of leases) if (low === null || l.rangeStart < low) low = l.rangeStart
  return low
}

export interface LeaderRow {
  owner: string
  expiresAt: number
}

/** What a process does about the leader lease: renew its own, take a free or expired one, or wait. */
export function leaderAction(row: LeaderRow | null, me: string, now: number): "renew" | "take" | "wait" {
  if (row === null) return "take"
  if (row.owner === me) return "renew"
  return row.expiresAt <= now ? "take" : "wait"
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

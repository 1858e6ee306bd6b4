/**
 * Bounded forward search for the end of a dead block (pure state machine, no I/O): the caller
 * asks `nextGapProbe` which ids to fetch, fetches them however it likes (through the limiter,
 * retrying throttles itself), and reports the first existing id of the probe, or null when all
 * 404ed. Exponential probing from the block start (1, 1.5, 2.25 ... ids ahead, up to maxDistance,
 * default 5,000,000 as the original) finds a live id in <= 40 probes at growth 1.5; bisection
 * then finds the first live id in <= 23 more. A probe covers `width` consecutive ids so one lost id inside the
 * live block does not pass for dead. Result: the gap range to record, or "none found" (the
 * caller must then NOT skip anything: we may simply be at the head).
 */
import { minBigint } from "../../../../lib/bigint.ts"

export interface GapSearchOptions {
  /** First id of the dead block (known to 404). */
  start: bigint
  maxDistance?: bigint
  width?: number
  /** Ratio between successive expansion offsets (default 1.5: <= 40 probes to 5,000,000). */
  growth?: number
  /**
   * Scale of the probe offsets, in [1, growth): offsets are floor(scale * growth^k). At the head
   * only a narrow band of live ids exists past a dead block (the rest is not published yet),
   * which fixed offsets can straddle; a random scale per search makes repeated searches probe
   * different points, and the band widens by the id rate meanwhile.
   */
  stepScale?: number
}

export type GapSearchResult =
  | { kind: "gap"; from: bigint; to: bigint; firstExisting: bigint; probes: number }
  | { kind: "none"; searchedTo: bigint; probes: number }

export interface GapSearchState {
  start: bigint
  maxDistance: bigint
  width: bigint
  phase: "expand" | "bisect" | "done"
  /** Offset known (or assumed) missing. */
  lo: bigint
  /** Offset known to exist (bisect phase). */
  hi: bigint
  step: bigint
  /** Expansion round k (step = floor(scale * 2^k)). */
  round: number
  growth: number
  stepScale: number
  probes: number
  result: GapSearchResult | null
}

export interface GapProbe {
  from: bigint
  count: number
}

export function createGapSearch(o: GapSearchOptions): GapSearchState {
  const maxDistance = o.maxDistance ?? 5_000_000n
  const width = BigInt(Math.max(1, o.width ?? 3))
  const growth = o.growth ?? 1.5
  const stepScale = o.stepScale ?? 1
  if (maxDistance < 1n) throw new RangeError(`gap search maxDistance must be >= 1, got ${maxDistance}`)
  if (!(growth > 1 && growth <= 4)) throw new RangeError(`gap search growth must be in (1, 4], got ${growth}`)
  if (!(stepScale >= 1 && stepScale < growth)) throw new RangeError(`gap search stepScale must be in [1, growth), got ${stepScale}`)
  return {
    start: o.start,
    maxDistance,
    width,
    phase: "expand",
    lo: 0n,
    hi: 0n,
    step: 1n,
    round: 0,
    growth,
    stepScale,
    probes: 0,
    result: null,
  }
}

/** The ids to probe next, or null when the search is done (see `result`). */
export function nextGapProbe(s: GapSearchState): GapProbe | null {
  if (s.phase === "done") return null
  if (s.phase === "expand") {
    const offset = minBigint(s.step, s.maxDistance)
    return { from: s.start + offset, count: Number(s.width) }
  }
  const mid = s.lo + (s.hi - s.lo) / 2n
  const count = s.hi - mid < s.width ? s.hi - mid : s.width
  return { from: s.start + mid, count: Number(count) }
}

/** Report the probe's first existing id (null = all 404). Returns the next state. */
export function applyGapProbe(s: GapSearchState, firstExisting: bigint | null): GapSearchState {
  const probe = nextGapProbe(s)
  if (probe === null) return s
  const next: GapSearchState = { ...s, probes: s.probes + 1 }
  const probeEnd = probe.from - s.start + BigInt(probe.count) - 1n
  if (firstExisting !== null && (firstExisting < probe.from || firstExisting > probe.from + BigInt(probe.count) - 1n)) {
    throw new RangeError(`gap probe answer ${firstExisting} outside the probe [${probe.from}, +${probe.count})`)
  }
  if (s.phase === "expand") {
    if (firstExisting === null) {
      next.lo = probeEnd
      if (s.step >= s.maxDistance) return finish(next, { kind: "none", searchedTo: s.start + probeEnd, probes: next.probes })
      next.round = s.round + 1
      const scaled = BigInt(Math.floor(s.stepScale * s.growth ** next.round))
      next.step = scaled > s.step ? scaled : s.step + 1n
      return next
    }
    next.hi = firstExisting - s.start
    next.phase = "bisect"
    return settle(next)
  }
  if (firstExisting === null) next.lo = probeEnd < next.hi - 1n ? probeEnd : next.hi - 1n
  else next.hi = firstExisting - s.start
  return settle(next)
}

function settle(s: GapSearchState): GapSearchState {
  if (s.hi - s.lo > 1n) return s
  return finish(s, { kind: "gap", from: s.start, to: s.start + s.hi - 1n, firstExisting: s.start + s.hi, probes: s.probes })
}

function finish(s: GapSearchState, result: GapSearchResult): GapSearchState {
  return { ...s, phase: "done", result }
}

/**
 * What a restart needs to resume exactly: the ids between the low-water mark and the cursor that
 * are NOT resolved, as runs [from, to), each with the time it has been waiting since (so a hole
 * keeps its patient 404 schedule across the restart instead of starting a fresh ten minutes).
 * Everything else in [lowWater, highWater) is resolved; claiming resumes at highWater.
 *
 * The resolved ids above the mark are thousands (a hole near the head holds the mark for up to
 * ten minutes while the crawl goes on), the unresolved ones a few hundred at most, clustered in
 * late clumps: runs of unresolved ids are the compact side. Stored in crawl.crawler_state as a
 * small binary blob (varint deltas), bounded: past `maxRuns` runs or `maxIds` ids the state is
 * cut, and highWater moves down to the cut, so the ids beyond are simply fetched again.
 *
 * Pure: no clock, no I/O.
 */
import { maxBigint, minBigint } from "../../../lib/bigint.ts"

export interface UnresolvedRun {
  from: bigint
  /** Exclusive. */
  to: bigint
  /** Epoch ms the ids have been waiting since (claimed, or for a pending gap: its evidence time). */
  since: number
  /** A suspected dead block waiting for its evidence to stand (gap-evidence.ts), not fetched meanwhile. */
  pendingGap: boolean
}

export interface ResumeState {
  lowWater: bigint
  /** Claiming resumes here; [lowWater, highWater) minus the runs is resolved. */
  highWater: bigint
  unresolved: UnresolvedRun[]
}

export interface ResumeLimits {
  maxRuns: number
  maxIds: number
}

/** About 10 bytes a run: at most ~100 KB a write, written a few times a second only while it changes. */
export const DEFAULT_RESUME_LIMITS: Readonly<ResumeLimits> = Object.freeze({ maxRuns: 10_000, maxIds: 50_000 })

/**
 * Builds the state to persist from the unresolved runs in [lowWater, cursor) (ascending, disjoint,
 * as ResolutionTracker.unresolvedRuns returns them). Over the limits, the state ends at the first
 * run that does not fit: highWater = its start, so nothing unresolved is ever dropped.
 */
export function planResume(
  lowWater: bigint,
  cursor: bigint,
  runs: readonly UnresolvedRun[],
  limits: ResumeLimits = DEFAULT_RESUME_LIMITS,
): ResumeState {
  const kept: UnresolvedRun[] = []
  let ids = 0
  for (const run of runs) {
    if (run.from < lowWater || run.to > cursor || run.to <= run.from)
      throw new RangeError(`unresolved run [${run.from}, ${run.to}) outside [${lowWater}, ${cursor})`)
    const length = run.pendingGap ? 0 : Number(run.to - run.from)
    if (kept.length >= limits.maxRuns || ids + length > limits.maxIds) return { lowWater, highWater: run.from, unresolved: kept }
    ids += length
    kept.push(run)
  }
  return { lowWater, highWater: cursor, unresolved: kept }
}

/**
 * The runs to persist: the tracker's unresolved runs, cut where pending gaps begin and end (the
 * pieces inside one are flagged and dated by its evidence), the others dated by their claim time.
 * A run is dated by its youngest id: a hole restarted never looks older than it is.
 */
export function captureRuns(
  runs: ReadonlyArray<{ from: bigint; to: bigint }>,
  pendingGaps: ReadonlyArray<{ from: bigint; to: bigint; evidenceAt: number }>,
  claimedAt: (id: bigint) => number,
): UnresolvedRun[] {
  const gaps = [...pendingGaps].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
  const out: UnresolvedRun[] = []
  for (const run of runs) {
    let pos = run.from
    for (const gap of gaps) {
      if (gap.to <= pos || gap.from >= run.to) continue
      if (gap.from > pos) out.push({ from: pos, to: gap.from, since: claimedAt(gap.from - 1n), pendingGap: false })
      const end = minBigint(gap.to, run.to)
      out.push({ from: maxBigint(gap.from, pos), to: end, since: gap.evidenceAt, pendingGap: true })
      pos = end
    }
    if (pos < run.to) out.push({ from: pos, to: run.to, since: claimedAt(run.to - 1n), pendingGap: false })
  }
  return out
}

/** The resolved pieces of [lowWater, highWater): what a restarted tracker marks resolved. */
export function resolvedPieces(state: ResumeState): Array<{ from: bigint; to: bigint }> {
  const pieces: Array<{ from: bigint; to: bigint }> = []
  let pos = state.lowWater
  for (const run of state.unresolved) {
    if (run.from > pos) pieces.push({ from: pos, to: run.from })
    pos = run.to
  }
  if (state.highWater > pos) pieces.push({ from: pos, to: state.highWater })
  return pieces
}

/** Ids a restart hands to the fetchers (pending gaps excluded: the coordinator re-checks those). */
export function countRestoredIds(state: ResumeState): number {
  let n = 0
  for (const run of state.unresolved) if (!run.pendingGap) n += Number(run.to - run.from)
  return n
}

// ---- encoding -------------------------------------------------------------------------------
// version 1: varint savedAt (epoch ms), varint count, then per run: varint (from - previous end),
// varint (to - from), varint (savedAt - since, clamped at 0), one flag byte (1 = pending gap).
// lowWater and highWater live in their own columns.

const VERSION = 1

export function encodeResumeRuns(state: ResumeState, savedAt: number): Uint8Array {
  const out: number[] = [VERSION]
  writeVarint(out, BigInt(Math.max(0, Math.floor(savedAt))))
  writeVarint(out, BigInt(state.unresolved.length))
  let previous = state.lowWater
  for (const run of state.unresolved) {
    writeVarint(out, run.from - previous)
    writeVarint(out, run.to - run.from)
    writeVarint(out, BigInt(Math.max(0, Math.floor(savedAt - run.since))))
    out.push(run.pendingGap ? 1 : 0)
    previous = run.to
  }
  return Uint8Array.from(out)
}

/** Inverse of encodeResumeRuns; throws on anything malformed (the caller falls back to the low-water mark). */
export function decodeResumeRuns(bytes: Uint8Array, lowWater: bigint, highWater: bigint): ResumeState {
  const reader = { bytes, pos: 0 }
  if (bytes[reader.pos++] !== VERSION) throw new Error(`resume state: unknown version ${bytes[0]}`)
  const savedAt = Number(readVarint(reader))
  const count = Number(readVarint(reader))
  const unresolved: UnresolvedRun[] = []
  let previous = lowWater
  for (let i = 0; i < count; i++) {
    const from = previous + readVarint(reader)
    const to = from + readVarint(reader)
    const since = savedAt - Number(readVarint(reader))
    const flag = bytes[reader.pos++]
    if (flag !== 0 && flag !== 1) throw new Error("resume state: truncated or bad flag")
    if (to <= from || to > highWater) throw new Error(`resume state: run [${from}, ${to}) outside [${lowWater}, ${highWater})`)
    unresolved.push({ from, to, since, pendingGap: flag === 1 })
    previous = to
  }
  if (reader.pos !== bytes.length) throw new Error("resume state: trailing bytes")
  return { lowWater, highWater, unresolved }
}

function writeVarint(out: number[], value: bigint): void {
  if (value < 0n) throw new RangeError(`varint of a negative value ${value}`)
  let v = value
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
}

function readVarint(r: { bytes: Uint8Array; pos: number }): bigint {
  let value = 0n
  let shift = 0n
  for (;;) {
    const byte = r.bytes[r.pos++]
    if (byte === undefined) throw new Error("resume state: truncated varint")
    value |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return value
    shift += 7n
    if (shift > 63n) throw new Error("resume state: varint too long")
  }
}

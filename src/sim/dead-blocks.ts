// Dead blocks ahead of the anchor: id ranges the counter jumps over. Explicit blocks and
// recurring ones (per period of ids, by seed) are merged into sorted, disjoint intervals in
// offset space (offset = id − anchor id), generated lazily as far as anyone asks, so mapping a
// sequence position to an id (and back) is a binary search.
import type { DeadBlock, RecurringDeadBlocks } from "./options.ts"
import { unitFor } from "./random.ts"

const SALT_PERIOD = 31
const SALT_START = 32
const SALT_LENGTH = 33

interface Interval {
  from: number
  to: number
  /** Dead offsets below `from`. */
  deadBefore: number
}

export class ForwardDeadBlocks {
  private readonly intervals: Interval[] = []
  private readonly explicit: Array<{ from: number; to: number }>
  /** Every dead offset below this is in `intervals`. */
  private generatedTo = 0
  /** Next chunk to generate; chunks are aligned to periods so intervals arrive sorted. */
  private nextChunk = 0

  constructor(
    blocks: readonly DeadBlock[],
    private readonly recurring: RecurringDeadBlocks | null,
    private readonly seed: number,
  ) {
    this.explicit = blocks
      .filter((b) => b.offset >= 0 && b.length > 0)
      .map((b) => ({ from: b.offset, to: b.offset + b.length }))
      .sort((a, b) => a.from - b.from)
    if (recurring) {
      const [lo, hi] = recurring.length
      if (!(recurring.periodIds > 0 && lo >= 1 && hi >= lo && hi < recurring.periodIds)) {
        throw new Error(`sim: world.deadBlockEvery needs periodIds > length[1] >= length[0] >= 1, got ${JSON.stringify(recurring)}`)
      }
    }
  }

  /** Id offset of sequence position `seq` (the seq-th live offset). */
  offsetOfSeq(seq: number): number {
    for (;;) {
      const live = this.generatedTo - this.deadBelowGenerated()
      if (live > seq) break
      this.extend()
    }
    let lo = 0
    let hi = this.intervals.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const iv = this.intervals[mid]!
      if (iv.from - iv.deadBefore <= seq) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    if (found < 0) return seq
    const iv = this.intervals[found]!
    return seq + iv.deadBefore + (iv.to - iv.from)
  }

  /** Sequence position of an offset, or null inside a dead block. */
  seqOfOffset(offset: number): number | null {
    while (this.generatedTo <= offset) this.extend()
    const iv = this.intervalAtOrBefore(offset)
    if (!iv) return offset
    if (offset < iv.to) return null
    return offset - iv.deadBefore - (iv.to - iv.from)
  }

  isDead(offset: number): boolean {
    return this.seqOfOffset(offset) === null
  }

  /** Known dead intervals overlapping [fromOffset, toOffset), as offsets. */
  within(fromOffset: number, toOffset: number): Array<{ from: number; to: number }> {
    while (this.generatedTo < toOffset) this.extend()
    return this.intervals.filter((iv) => iv.to > fromOffset && iv.from < toOffset).map((iv) => ({ from: iv.from, to: iv.to }))
  }

  private intervalAtOrBefore(offset: number): Interval | null {
    let lo = 0
    let hi = this.intervals.length - 1
    let found: Interval | null = null
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const iv = this.intervals[mid]!
      if (iv.from <= offset) {
        found = iv
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }

  private deadBelowGenerated(): number {
    const last = this.intervals[this.intervals.length - 1]
    if (!last) return 0
    return last.deadBefore + Math.min(last.to, this.generatedTo) - last.from
  }

  /** Generates one more chunk of offsets (a recurring period, or 1 M ids without recurrence). */
  private extend(): void {
    const step = this.recurring?.periodIds ?? 1_000_000
    const period = this.nextChunk++
    const from = period * step
    const to = from + step
    const fresh: Array<{ from: number; to: number }> = []
    for (const b of this.explicit) if (b.from >= from && b.from < to) fresh.push(b)
    if (this.recurring) {
      const r = this.recurring
      if (unitFor(this.seed, period, SALT_PERIOD) < r.chance) {
        const length = r.length[0] + Math.floor(unitFor(this.seed, period, SALT_LENGTH) * (r.length[1] - r.length[0] + 1))
        const start = period * step + Math.floor(unitFor(this.seed, period, SALT_START) * (step - length))
        fresh.push({ from: start, to: start + length })
      }
    }
    fresh.sort((a, b) => a.from - b.from)
    for (const b of fresh) this.append(b)
    const last = this.intervals[this.intervals.length - 1]
    this.generatedTo = Math.max(to, last ? last.to : 0)
  }

  /** Blocks arrive sorted by start (chunks in order, sorted within), so only the last can overlap. */
  private append(b: { from: number; to: number }): void {
    const last = this.intervals[this.intervals.length - 1]
    if (last && b.from <= last.to) {
      last.to = Math.max(last.to, b.to)
      return
    }
    const deadBefore = last ? last.deadBefore + (last.to - last.from) : 0
    this.intervals.push({ from: b.from, to: b.to, deadBefore })
  }
}

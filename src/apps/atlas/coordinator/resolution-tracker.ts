/**
 * Tracks which claimed ids are resolved and derives the low-water mark: the lowest id not yet
 * resolved, so every id below it is stored, known non-raid, or in the missed ledger / a gap.
 *
 * Ids resolve out of order (a 404 near the head may wait ten minutes while thousands of later ids
 * finish), so single ids wait in a bit set (id-bitset.ts) until the mark reaches them; gap ranges
 * are kept as intervals because one can cover millions of ids.
 */

import { maxBigint } from "../../../lib/bigint.ts"
import { IdBitSet } from "./id-bitset.ts"

export interface Range {
  from: bigint
  /** Exclusive. */
  to: bigint
}

export class ResolutionTracker {
  private mark: bigint
  private readonly ahead: IdBitSet
  private ranges: Range[] = []
  private resolvedTotal = 0

  constructor(lowWater: bigint) {
    this.mark = lowWater
    this.ahead = new IdBitSet(lowWater)
  }

  /** Lowest unresolved id. */
  get lowWater(): bigint {
    return this.mark
  }

  /** Resolved ids above the mark, waiting for the ids below them. */
  get waiting(): number {
    return this.ahead.size
  }

  /** Ids resolved since start (ranges count their length). */
  get total(): number {
    return this.resolvedTotal
  }

  /** Marks one id resolved. Duplicates and ids below the mark are ignored. */
  resolve(id: bigint): void {
    if (id < this.mark) return
    if (id === this.mark) {
      this.resolvedTotal++
      this.mark++
      this.advance()
    } else if (this.ahead.add(id)) {
      this.resolvedTotal++
    }
  }

  resolveMany(ids: Iterable<bigint>): void {
    for (const id of ids) this.resolve(id)
  }

  /** Marks [from, to) resolved (a gap range). */
  resolveRange(from: bigint, to: bigint): void {
    this.addRange(from, to, true)
  }

  /**
   * A restart: marks what the previous run had resolved above the mark (the complement of its
   * unresolved runs, resume-state.ts) without counting it as resolved by this run.
   */
  restore(pieces: Iterable<{ from: bigint; to: bigint }>): void {
    for (const piece of pieces) this.addRange(piece.from, piece.to, false)
  }

  /**
   * The unresolved ids in [lowWater, below) as ascending runs [from, to); at most maxRuns + 1 runs
   * (one more than asked says "cut here"). Cost: listing the resolved singles above the mark.
   */
  unresolvedRuns(below: bigint, maxRuns = Number.POSITIVE_INFINITY): Range[] {
    const singles = this.ahead.toSortedArray()
    const ranges = this.ranges
    const runs: Range[] = []
    let pos = this.mark
    let i = 0
    let j = 0
    while (pos < below && runs.length <= maxRuns) {
      while (i < singles.length && singles[i]! < pos) i++
      while (j < ranges.length && ranges[j]!.to <= pos) j++
      const single = i < singles.length ? singles[i]! : null
      const range = j < ranges.length ? ranges[j]! : null
      let nextFrom: bigint
      let nextTo: bigint
      if (range && (single === null || range.from <= single)) {
        nextFrom = maxBigint(range.from, pos)
        nextTo = range.to
      } else if (single !== null) {
        nextFrom = single
        nextTo = single + 1n
      } else {
        runs.push({ from: pos, to: below })
        break
      }
      if (nextFrom >= below) {
        runs.push({ from: pos, to: below })
        break
      }
      if (nextFrom > pos) runs.push({ from: pos, to: nextFrom })
      pos = nextTo
    }
    return runs
  }

  private addRange(from: bigint, to: bigint, count: boolean): void {
    if (to <= this.mark || to <= from) return
    const start = from < this.mark ? this.mark : from
    if (count) this.resolvedTotal += Number(to - start)
    this.ranges.push({ from: start, to })
    this.ranges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
    this.advance()
  }

  /** True when every id in [from, to] (inclusive) is resolved. */
  isResolvedThrough(to: bigint): boolean {
    return this.mark > to
  }

  private advance(): void {
    for (;;) {
      if (this.ahead.delete(this.mark)) {
        this.mark++
        continue
      }
      const range = this.ranges[0]
      if (range && range.from <= this.mark) {
        this.ranges.shift()
        if (range.to > this.mark) {
          // Singles inside the range are now below the mark: drop them so the set stays small.
          this.ahead.deleteBelow(range.to)
          this.mark = range.to
        }
        continue
      }
      return
    }
  }
}

/**
 * A fetcher's timer queue of ids waiting for another attempt, ordered by due time. Bounded by the
 * fetch loop (it stops claiming new ids when the queue is full), so a sorted array is enough.
 */
import type { IdHistory } from "../shared/retry-policy.ts"

export interface RetryEntry {
  id: bigint
  dueAt: number
  history: IdHistory
  /** > 0: add a cache-busting parameter (refetch of a bad or incomplete body). */
  cacheBust: number
}

export class RetryQueue {
  private entries: RetryEntry[] = []

  get size(): number {
    return this.entries.length
  }

  push(entry: RetryEntry): void {
    // Binary search for the insertion point keeps the array sorted by dueAt.
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.entries[mid]!.dueAt <= entry.dueAt) lo = mid + 1
      else hi = mid
    }
    this.entries.splice(lo, 0, entry)
  }

  /** The earliest entry if it is due at `now`. */
  popDue(now: number): RetryEntry | null {
    const first = this.entries[0]
    if (!first || first.dueAt > now) return null
    this.entries.shift()
    return first
  }

  /** Milliseconds until the next entry is due; null when empty. */
  nextDueIn(now: number): number | null {
    const first = this.entries[0]
    return first ? Math.max(0, first.dueAt - now) : null
  }

  /**
   * Makes every matching entry due at `now` (keeps the order sorted); returns how many moved.
   * O(n), for rare events (a hole filled), on a queue the fetch loop bounds.
   */
  promote(matches: (entry: RetryEntry) => boolean, now: number): number {
    let moved = 0
    for (const entry of this.entries) {
      if (entry.dueAt > now && matches(entry)) {
        entry.dueAt = now
        moved++
      }
    }
    if (moved > 0) this.entries.sort((a, b) => a.dueAt - b.dueAt)
    return moved
  }

  /** Removes entries with ids in [from, to); returns how many. */
  dropRange(from: bigint, to: bigint): number {
    const before = this.entries.length
    this.entries = this.entries.filter((e) => e.id < from || e.id >= to)
    return before - this.entries.length
  }

  /** Removes and returns the entries that match. */
  take(matches: (entry: RetryEntry) => boolean): RetryEntry[] {
    const taken: RetryEntry[] = []
    this.entries = this.entries.filter((e) => {
      if (!matches(e)) return true
      taken.push(e)
      return false
    })
    return taken
  }
}

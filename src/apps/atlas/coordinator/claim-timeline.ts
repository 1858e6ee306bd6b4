/**
 * When was an id claimed? The coordinator samples the shared cursor at every control step; an id
 * was claimed no later than the first sample whose cursor is past it. That is how long an
 * unresolved id has been waiting (a hole's first 404 follows its claim within a request), which
 * the checkpoint stores so a restarted hole keeps its schedule. Ids restored from the previous
 * run keep the time that run stored. The error is about one control step (~500 ms), against the
 * ten minutes a hole waits: a restored hole is ledgered within a second of when it would have been.
 *
 * Bounded: samples are kept only while the cursor change they record is above the low-water mark.
 */

interface Sample {
  at: number
  cursor: bigint
}

export class ClaimTimeline {
  private samples: Sample[] = []
  private restored: Array<{ from: bigint; to: bigint; since: number }> = []

  /** Runs restored from the checkpoint, ascending and disjoint. */
  restore(runs: Iterable<{ from: bigint; to: bigint; since: number }>): void {
    this.restored = [...runs]
  }

  /** Records the cursor at `at` (only when it moved). */
  note(at: number, cursor: bigint): void {
    const last = this.samples[this.samples.length - 1]
    if (last && last.cursor >= cursor) return
    this.samples.push({ at, cursor })
  }

  /** When `id` was claimed (epoch ms); `fallback` when it is not claimed yet as far as this knows. */
  claimedAt(id: bigint, fallback: number): number {
    const restored = findRun(this.restored, id)
    if (restored) return restored.since
    // First sample with cursor > id.
    let lo = 0
    let hi = this.samples.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.samples[mid]!.cursor > id) hi = mid
      else lo = mid + 1
    }
    return lo < this.samples.length ? this.samples[lo]!.at : fallback
  }

  /** Forgets what no unresolved id can ask about any more (everything below the low-water mark). */
  prune(lowWater: bigint): void {
    let drop = 0
    while (drop < this.samples.length - 1 && this.samples[drop]!.cursor <= lowWater) drop++
    if (drop > 0) this.samples.splice(0, drop)
    let done = 0
    while (done < this.restored.length && this.restored[done]!.to <= lowWater) done++
    if (done > 0) this.restored.splice(0, done)
  }

  get size(): number {
    return this.samples.length + this.restored.length
  }
}

function findRun<T extends { from: bigint; to: bigint }>(runs: readonly T[], id: bigint): T | null {
  let lo = 0
  let hi = runs.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const run = runs[mid]!
    if (id < run.from) hi = mid - 1
    else if (id >= run.to) lo = mid + 1
    else return run
  }
  return null
}

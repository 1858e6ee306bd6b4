/**
 * The shared id space: one SharedArrayBuffer seen by the coordinator and every fetcher.
 *
 * Fetchers claim small blocks of ids with a compare-and-swap on the cursor that never passes the
 * claim ceiling, so no id is claimed twice and none is claimed beyond what the controller allows
 * (no overshoot to undo, unlike a blind Atomics.add). The coordinator alone moves the ceiling,
 * jumps the cursor over gap ranges and raises the stop flag. Other slots are counters that
 * several threads update (writer queue depth for backpressure, newest existing id seen).
 */
import { minBigint } from "../../../lib/bigint.ts"

const SLOT = {
  cursor: 0,
  ceiling: 1,
  stop: 2,
  writerQueue: 3,
  newestExisting: 4,
  retryBacklog: 5,
  crawlNewest: 6,
  holeFilled: 7,
} as const
const SLOTS = 8

export interface ClaimedBlock {
  from: bigint
  /** Exclusive. */
  to: bigint
}

export class IdSpace {
  readonly buffer: SharedArrayBuffer
  private readonly cells: BigInt64Array

  constructor(buffer: SharedArrayBuffer) {
    if (buffer.byteLength < SLOTS * 8) throw new Error(`id space buffer too small: ${buffer.byteLength} bytes`)
    this.buffer = buffer
    this.cells = new BigInt64Array(buffer, 0, SLOTS)
  }

  /** A fresh buffer whose cursor starts at `start` with nothing claimable until the ceiling is raised. */
  static create(start: bigint): IdSpace {
    const space = new IdSpace(new SharedArrayBuffer(SLOTS * 8))
    Atomics.store(space.cells, SLOT.cursor, start)
    Atomics.store(space.cells, SLOT.ceiling, start)
    return space
  }

  /** Claims up to `size` ids below the ceiling; null when nothing is claimable or claiming has stopped. */
  claim(size: bigint): ClaimedBlock | null {
    for (;;) {
      if (Atomics.load(this.cells, SLOT.stop) !== 0n) return null
      const from = Atomics.load(this.cells, SLOT.cursor)
      const ceiling = Atomics.load(this.cells, SLOT.ceiling)
      if (from >= ceiling) return null
      const to = minBigint(from + size, ceiling)
      if (Atomics.compareExchange(this.cells, SLOT.cursor, from, to) === from) return { from, to }
    }
  }

  get cursor(): bigint {
    return Atomics.load(this.cells, SLOT.cursor)
  }

  get ceiling(): bigint {
    return Atomics.load(this.cells, SLOT.ceiling)
  }

  /** Sets the claim ceiling (exclusive). Lowering it below the cursor only stops further claims. */
  setCeiling(ceiling: bigint): void {
    Atomics.store(this.cells, SLOT.ceiling, ceiling)
  }

  /** Moves the cursor forward to `to` (a gap jump); never backwards. Returns the cursor before the jump. */
  advanceCursor(to: bigint): bigint {
    for (;;) {
      const current = Atomics.load(this.cells, SLOT.cursor)
      if (current >= to) return current
      if (Atomics.compareExchange(this.cells, SLOT.cursor, current, to) === current) return current
    }
  }

  get stopped(): boolean {
    return Atomics.load(this.cells, SLOT.stop) !== 0n
  }

  stop(): void {
    Atomics.store(this.cells, SLOT.stop, 1n)
  }

  /** Items handed to the pg-writer and not yet committed: fetchers stop claiming above a bound. */
  get writerQueue(): number {
    return Number(Atomics.load(this.cells, SLOT.writerQueue))
  }

  addWriterQueue(delta: number): void {
    Atomics.add(this.cells, SLOT.writerQueue, BigInt(delta))
  }

  /** Ids waiting in fetchers' retry timers (404 near the head, throttles, incomplete PGCRs). */
  get retryBacklog(): number {
    return Number(Atomics.load(this.cells, SLOT.retryBacklog))
  }

  addRetryBacklog(delta: number): void {
    Atomics.add(this.cells, SLOT.retryBacklog, BigInt(delta))
  }

  /** Newest id known to exist (seen by a fetcher, or found by a frontier search); 0 when none yet. */
  get newestExisting(): bigint {
    return Atomics.load(this.cells, SLOT.newestExisting)
  }

  /**
   * Newest id this crawl itself fetched; 0 when none yet. Differs from newestExisting in a
   * backfill, where the search already knows the head far above the crawl.
   */
  get crawlNewest(): bigint {
    return Atomics.load(this.cells, SLOT.crawlNewest)
  }

  /** External knowledge (frontier search, gap search): raises newestExisting only. */
  noteExisting(id: bigint): void {
    this.raise(SLOT.newestExisting, id)
  }

  /** A fetcher saw a PGCR for `id`: raises both marks. */
  noteSeen(id: bigint): void {
    this.raise(SLOT.crawlNewest, id)
    this.raise(SLOT.newestExisting, id)
  }

  /**
   * Last hole filled: an id found after it had 404ed with existing ids well past it (a late clump
   * being published). Every fetcher promotes its own waiting neighbours of it; 0 when none yet.
   */
  get holeFilled(): bigint {
    return Atomics.load(this.cells, SLOT.holeFilled)
  }

  noteHoleFilled(id: bigint): void {
    Atomics.store(this.cells, SLOT.holeFilled, id)
  }

  /** Lock-free max. */
  private raise(slot: number, id: bigint): void {
    for (;;) {
      const current = Atomics.load(this.cells, slot)
      if (current >= id) return
      if (Atomics.compareExchange(this.cells, slot, current, id) === current) return
    }
  }
}

/**
 * When the pg-writer writes a partial batch (a full one is written at once). Pure.
 *
 * An item arriving after a quiet interval waits only `gatherMs` for neighbours: at the head raids
 * come a few per second, and a fixed interval was pure lag. Under sustained load the flushes are
 * paced at one per `batchMs`, so batches stay as large, and transactions as few, as a fixed
 * interval would make them. No item ever waits longer than `batchMs`.
 */
export interface FlushPacing {
  /** When the oldest waiting item arrived (ms). */
  oldestAt: number
  /** When the last flush started (ms; -Infinity before the first). */
  lastFlushAt: number
  batchMs: number
  gatherMs: number
}

/** Milliseconds from `now` until the partial batch should be written (0 = now). */
export function computeFlushDelay(p: FlushPacing, now: number): number {
  const paced = Math.max(p.oldestAt + p.gatherMs, p.lastFlushAt + p.batchMs)
  return Math.max(0, Math.min(p.oldestAt + p.batchMs, paced) - now)
}

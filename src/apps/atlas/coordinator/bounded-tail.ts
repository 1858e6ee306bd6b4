/**
 * The end of a bounded run (`--from A --to B`). Once every id of the range has been claimed and
 * no existing id (a PGCR, raid or not, or a withheld one) has been answered for `quietMs`, what
 * is left are ids that 404: holes Bungie may publish minutes late or never. A following run waits
 * for them (its 404 schedule, ~10 minutes); a bounded run hands them to the missed ledger, each
 * due for the replayer (hades) when its next attempt here would have been, and so ends within
 * about `quietMs` + a batch of its last existing id instead of idling at 0 ids/s.
 *
 * Pure decision (`BoundedTail`, injected clock) plus a small timer (`startBoundedTail`).
 */
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { FetcherStats } from "../shared/messages.ts"

/** Quiet time after the last existing id before the holes are handed off. */
export const DEFAULT_TAIL_QUIET_MS = 30_000
/** The hand-off is repeated this often while the range is unresolved (ids that were in flight). */
const REPEAT_MS = 5_000

export interface TailView {
  /** Next id the crawl would claim. */
  cursor: bigint
  /** Lowest unresolved id. */
  lowWater: bigint
}

export class BoundedTail {
  private lastExistingAt: number
  private lastHandOffAt: number | null = null

  constructor(
    private readonly to: bigint,
    private readonly quietMs: number,
    now: number,
  ) {
    this.lastExistingAt = now
  }

  /** A fetcher's interval stats: any PGCR answered (ok or withheld) restarts the quiet time. */
  observeStats(now: number, stats: Pick<FetcherStats, "results">): void {
    if ((stats.results.ok ?? 0) + (stats.results.blocked ?? 0) > 0) this.lastExistingAt = now
  }

  /** Since when the holes have been handed off (null: not yet). */
  get handedOffAt(): number | null {
    return this.lastHandOffAt
  }

  /** True when the fetchers should hand their 404-waiting ids to the ledger now. */
  shouldHandOff(now: number, view: TailView): boolean {
    if (view.lowWater > this.to) return false
    if (view.cursor <= this.to) return false
    if (now - this.lastExistingAt < this.quietMs) return false
    if (this.lastHandOffAt !== null && now - this.lastHandOffAt < REPEAT_MS) return false
    this.lastHandOffAt = now
    return true
  }
}

export interface BoundedTailTimer {
  observeStats(stats: Pick<FetcherStats, "results">): void
  stop(): void
}

export function startBoundedTail(o: {
  to: bigint
  quietMs?: number
  view: () => TailView
  handOff: () => void
  log: Logger
  intervalMs?: number
}): BoundedTailTimer {
  const tail = new BoundedTail(o.to, o.quietMs ?? DEFAULT_TAIL_QUIET_MS, Date.now())
  const timer = setInterval(() => {
    const view = o.view()
    const first = tail.handedOffAt === null
    if (!tail.shouldHandOff(Date.now(), view)) return
    if (first) o.log.info("atlas.bounded_tail.hand_off", { to: o.to, lowWater: view.lowWater, quietMs: o.quietMs ?? DEFAULT_TAIL_QUIET_MS })
    o.handOff()
  }, o.intervalMs ?? 1_000)
  return {
    observeStats: (stats) => tail.observeStats(Date.now(), stats),
    stop: () => clearInterval(timer),
  }
}

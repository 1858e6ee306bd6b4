/**
 * "Are the floodgates open?" (pure, clock injected). Bungie withholds fresh PGCRs of some raids
 * (code 12) and releases them later, usually in waves. The gates count as open while at least
 * `openAfterReleases` withheld ids were released within `windowMs`, and close again when the
 * window empties or `closeAfterBlocked` attempts in a row found ids still withheld (a wave that
 * ended while the rest of the queue is still held back).
 *
 * The research's original: 4 successes within 3 minutes = open; it slept 60 s per id otherwise.
 */

export interface FloodgateParams {
  windowMs: number
  openAfterReleases: number
  closeAfterBlocked: number
}

export const DEFAULT_FLOODGATE_PARAMS: FloodgateParams = { windowMs: 3 * 60_000, openAfterReleases: 3, closeAfterBlocked: 25 }

export class FloodgateDetector {
  private releases: number[] = []
  private blockedInARow = 0
  private newest: bigint | null = null

  constructor(private readonly params: FloodgateParams = DEFAULT_FLOODGATE_PARAMS) {}

  /** A withheld id came back (stored, or found to be a non-raid). */
  noteReleased(id: bigint, now: number): void {
    this.releases.push(now)
    this.blockedInARow = 0
    if (this.newest === null || id > this.newest) this.newest = id
  }

  /** An attempt found the id still withheld. */
  noteBlocked(): void {
    this.blockedInARow++
  }

  isOpen(now: number): boolean {
    this.forgetBefore(now - this.params.windowMs)
    return this.releases.length >= this.params.openAfterReleases && this.blockedInARow < this.params.closeAfterBlocked
  }

  /** Releases within the window (for logs). */
  recentReleases(now: number): number {
    this.forgetBefore(now - this.params.windowMs)
    return this.releases.length
  }

  /** Newest instance id released so far (the floodgates_recent_pgcr gauge), null before any. */
  get newestReleased(): bigint | null {
    return this.newest
  }

  private forgetBefore(cutoff: number): void {
    let drop = 0
    while (drop < this.releases.length && this.releases[drop]! < cutoff) drop++
    if (drop > 0) this.releases.splice(0, drop)
  }
}

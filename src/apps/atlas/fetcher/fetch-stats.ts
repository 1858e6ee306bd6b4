/**
 * What a fetcher tells the coordinator, a few times a second and never per id: compact interval
 * statistics (the controller's inputs) and the ids it resolved itself (non-raids; raids are acked
 * by the writer after COMMIT).
 */
import type { FetcherStats, FetcherToMain } from "../shared/messages.ts"

/** Bound on lag samples per interval: enough for percentiles, small to post. */
const LAG_SAMPLE_CAP = 500
/** Resolved ids are posted early when this many wait. */
const RESOLVED_FLUSH_AT = 1024

export class FetchStats {
  private current = emptyStats()
  private resolved: bigint[] = []
  private latencySum = 0
  private latencyCount = 0

  constructor(
    private readonly worker: number,
    private readonly report: (message: FetcherToMain, transfer?: Bun.Transferable[]) => void,
  ) {}

  get interval(): Readonly<FetcherStats> {
    return this.current
  }

  noteResult(kind: string, latencyMs: number): void {
    const results = this.current.results
    results[kind] = (results[kind] ?? 0) + 1
    if (latencyMs > 0) {
      this.latencySum += latencyMs
      this.latencyCount++
    }
  }

  /** A first try; `aheadOfEverything`: it answered 404 above every id this crawl has seen. */
  noteFirstTry(aheadOfEverything: boolean): void {
    this.current.firstTries++
    if (aheadOfEverything) this.current.notFoundFirst++
  }

  noteRaid(): void {
    this.current.raids++
  }

  noteNonRaid(): void {
    this.current.nonRaids++
  }

  noteMissed(): void {
    this.current.missed++
  }

  noteLag(seconds: number): void {
    if (this.current.lagSamples.length < LAG_SAMPLE_CAP) this.current.lagSamples.push(seconds)
  }

  /** The newest id that existed this interval, with its completion time once known. */
  noteNewest(id: bigint, completedAt: number | null): void {
    const newest = this.current.newest
    if (newest === null || id > newest.id) this.current.newest = { id, completedAt }
    else if (id === newest.id && completedAt !== null) newest.completedAt = completedAt
  }

  resolve(id: bigint): void {
    this.resolved.push(id)
    if (this.resolved.length >= RESOLVED_FLUSH_AT) this.flushResolved()
  }

  /** Posts the interval (with the loop's current in-flight and retry counts) and starts a new one. */
  flush(inFlight: number, retryQueue: number): void {
    this.flushResolved()
    const stats = this.current
    stats.inFlight = inFlight
    stats.retryQueue = retryQueue
    stats.latencyMs = this.latencyCount > 0 ? this.latencySum / this.latencyCount : 0
    this.latencySum = 0
    this.latencyCount = 0
    this.current = emptyStats()
    this.report({ type: "stats", worker: this.worker, stats })
  }

  /** Posts the ids resolved since the last post (the checkpoint can only persist what it heard). */
  flushResolved(): void {
    if (this.resolved.length === 0) return
    const ids = BigInt64Array.from(this.resolved)
    this.resolved = []
    this.report({ type: "resolved", ids }, [ids.buffer as ArrayBuffer])
  }
}

function emptyStats(): FetcherStats {
  return {
    results: {},
    notFoundFirst: 0,
    firstTries: 0,
    lagSamples: [],
    raids: 0,
    nonRaids: 0,
    missed: 0,
    inFlight: 0,
    retryQueue: 0,
    latencyMs: 0,
    newest: null,
  }
}

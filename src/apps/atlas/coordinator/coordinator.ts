/**
 * The coordinator (main thread): owns the id space. It turns acks into the low-water mark,
 * feeds the frontier controller with fetcher stats and applies its decision (claim ceiling, gap
 * search), persists the checkpoint about every second, and reports status. No I/O besides the
 * checkpoint and the gap-search probes, which go through the shared limiter like every request.
 */
import { maxBigint } from "../../../lib/bigint.ts"
import type { Sql } from "../../../lib/database/postgres.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { Limiter } from "../../../lib/ratelimit/index.ts"
import type { IdSpace } from "../shared/id-space.ts"
import type { FetcherStats, FetcherToMain, WriterToMain } from "../shared/messages.ts"
import type { AtlasMetrics } from "./atlas-metrics.ts"
import { saveCheckpoint } from "./checkpoint.ts"
import { applyGapProbe, type ControllerDecision, createGapSearch, type FrontierController, nextGapProbe } from "./controller/index.ts"
import type { Probe } from "./probe.ts"
import { ResolutionTracker } from "./resolution-tracker.ts"

export interface CoordinatorOptions {
  crawler: string
  space: IdSpace
  limiter: Limiter
  controller: FrontierController
  sql: Sql
  log: Logger
  metrics: AtlasMetrics
  /** Start of the crawl (the low-water mark at start). */
  start: bigint
  /** Inclusive end of a bounded backfill; null = follow the frontier. */
  to: bigint | null
  /** Gap-search and look-ahead probes (main thread, through the rate-limited client). */
  probe: Probe
  /** Sends a gap range to the pg-writer (recorded, then acked as gapStored). */
  recordGap: (from: bigint, to: bigint, reason: string) => void
  /** Tells every fetcher to stop retrying ids in a gap. */
  dropGap: (from: bigint, to: bigint) => void
  fetchers: number
  now?: () => number
}

export interface CoordinatorStatus {
  lowWater: bigint
  cursor: bigint
  ceiling: bigint
  resolved: number
  raidsStored: number
  missed: number
  decision: ControllerDecision | null
  requests: Record<string, number>
}

export class Coordinator {
  readonly tracker: ResolutionTracker
  private decision: ControllerDecision | null = null
  private lastSaved: bigint | null = null
  private saving: Promise<void> | null = null
  private gapSearch: Promise<void> | null = null
  private lookAhead: Promise<void> | null = null
  private readonly requests: Record<string, number> = {}
  private raidsStored = 0
  private missed = 0
  private readonly now: () => number

  constructor(private readonly o: CoordinatorOptions) {
    this.tracker = new ResolutionTracker(o.start)
    this.now = o.now ?? Date.now
  }

  /** Every id of a bounded backfill is resolved. */
  get boundedDone(): boolean {
    return this.o.to !== null && this.tracker.isResolvedThrough(this.o.to)
  }

  onFetcherMessage(message: FetcherToMain): void {
    switch (message.type) {
      case "resolved":
        this.tracker.resolveMany(message.ids)
        return
      case "stats":
        this.absorbStats(message.worker, message.stats)
        return
      case "fatal":
        this.o.log.error("atlas.fatal", { worker: message.worker, reason: message.reason })
        return
      default:
        return
    }
  }

  onWriterMessage(message: WriterToMain): void {
    switch (message.type) {
      case "resolved":
        this.tracker.resolveMany(message.ids)
        return
      case "gapStored":
        this.tracker.resolveRange(message.from, message.to)
        return
      case "batch": {
        const now = this.now()
        this.raidsStored += message.stored
        this.missed += message.missed
        const lags = message.completedAt.filter((t) => Number.isFinite(t)).map((t) => Math.max(0, now - t))
        this.o.controller.observeLags(now, lags)
        return
      }
      case "error":
        this.o.log.error("atlas.writer.error", { reason: message.reason })
        return
      default:
        return
    }
  }

  private absorbStats(_worker: number, stats: FetcherStats): void {
    const now = this.now()
    const c = this.o.controller
    c.observeFirstTries(now, stats.notFoundFirst, stats.firstTries)
    c.observeResolved(now, stats.raids + stats.nonRaids + stats.missed)
    c.observeLags(
      now,
      stats.lagSamples.map((s) => s * 1000),
    )
    // Discovery time, not completion time: completion precedes an id's creation by 0-40 s at
    // random, which flattens a fitted id-vs-completion line (errors in x) and pulls the estimate
    // (and the claim ceiling) behind the real head.
    if (stats.newest) c.observeExisting(now, stats.newest.id, null)
    for (const [kind, count] of Object.entries(stats.results)) this.requests[kind] = (this.requests[kind] ?? 0) + count
  }

  /** One control step: ceiling, dead-block search, metrics. Call about once a second. */
  tick(): ControllerDecision {
    const now = this.now()
    const space = this.o.space
    const decision = this.o.controller.tick(now, { lowWater: this.tracker.lowWater, cursor: space.cursor, ceiling: space.ceiling })
    let ceiling = decision.ceiling
    if (this.o.to !== null && ceiling > this.o.to + 1n) ceiling = this.o.to + 1n
    // Never pull the ceiling under ids already claimed: it only gates new claims anyway.
    space.setCeiling(ceiling)
    this.decision = decision
    if (decision.deadBlockSuspected && this.gapSearch === null) this.startGapSearch()
    if (decision.lookAhead && this.lookAhead === null && this.gapSearch === null) this.startLookAhead(decision.lookAhead)
    this.o.metrics.setState({
      lowWater: this.tracker.lowWater,
      ceiling,
      frontier: decision.frontierEstimate,
      share404: decision.share404,
      resolvedPerSec: decision.resolvedPerSec,
      leadSec: decision.leadSec,
    })
    this.o.metrics.setLimiter(this.o.limiter.snapshot())
    return decision
  }

  /** Persists the low-water mark when it moved; never two writes at once. */
  async persist(force = false): Promise<void> {
    if (this.saving) await this.saving
    const lowWater = this.tracker.lowWater
    if (!force && this.lastSaved === lowWater) return
    this.saving = saveCheckpoint(this.o.sql, this.o.crawler, {
      lowWater,
      highWater: this.o.space.cursor,
      frontier: this.decision?.frontierEstimate ?? null,
    }).then(
      () => {
        this.lastSaved = lowWater
      },
      (error) => {
        // A lost checkpoint write only means a longer refetch after a crash; keep crawling.
        this.o.log.warn("atlas.checkpoint.failed", { error })
      },
    )
    await this.saving
    this.saving = null
  }

  status(): CoordinatorStatus {
    return {
      lowWater: this.tracker.lowWater,
      cursor: this.o.space.cursor,
      ceiling: this.o.space.ceiling,
      resolved: this.tracker.total,
      raidsStored: this.raidsStored,
      missed: this.missed,
      decision: this.decision,
      requests: { ...this.requests },
    }
  }

  /** Waits for a running gap search or look-ahead (shutdown). */
  async settle(): Promise<void> {
    if (this.gapSearch) await this.gapSearch
    if (this.lookAhead) await this.lookAhead
  }

  /**
   * Probes a few ids past the cursor at once (the controller asked: most first tries 404). The
   * newest that exists becomes the crawl's newest seen, so the ids before it are holes (a late
   * clump: patient retries, and their 404s no longer pull the ceiling back) and the head moves
   * there. Nothing is skipped: every id below is still claimed and fetched.
   */
  private startLookAhead(ids: readonly bigint[]): void {
    const bounded = this.o.to === null ? ids : ids.filter((id) => id <= this.o.to!)
    if (bounded.length === 0) return
    this.lookAhead = Promise.all(bounded.map((id) => this.o.probe(id, "missing")))
      .then((answers) => {
        const found = bounded.filter((_id, i) => answers[i] === "exists")
        if (found.length === 0) {
          this.o.log.info("atlas.look_ahead.none", { from: bounded[0], to: bounded[bounded.length - 1] })
          return
        }
        const newest = found.reduce(maxBigint)
        this.o.log.info("atlas.look_ahead.found", { cursor: this.o.space.cursor, newest })
        this.o.space.noteSeen(newest)
        this.o.controller.observeExisting(this.now(), newest, null)
      })
      .catch((error) => {
        this.o.log.error("atlas.look_ahead.failed", { error })
      })
      .finally(() => {
        this.lookAhead = null
      })
  }

  private startGapSearch(): void {
    // The dead block starts after the newest id this crawl has seen (the head known from a search
    // may lie far beyond it in a backfill).
    const newest = this.o.space.crawlNewest
    const start = newest > 0n && newest + 1n > this.tracker.lowWater ? newest + 1n : this.tracker.lowWater
    this.o.log.warn("atlas.gap_search.start", { start })
    this.gapSearch = this.runGapSearch(start)
      .catch((error) => {
        this.o.log.error("atlas.gap_search.failed", { error })
        return false
      })
      .then((skipped) => {
        this.o.controller.noteGapSearchDone(this.now(), skipped)
        this.gapSearch = null
      })
  }

  /** Returns true when a gap was recorded and the cursor jumped. */
  private async runGapSearch(start: bigint): Promise<boolean> {
    let state = createGapSearch({ start })
    for (let probe = nextGapProbe(state); probe !== null; probe = nextGapProbe(state)) {
      if (this.o.space.stopped) return false
      let found: bigint | null = null
      for (let i = 0; i < probe.count && found === null; i++) {
        if ((await this.o.probe(probe.from + BigInt(i))) === "exists") found = probe.from + BigInt(i)
      }
      state = applyGapProbe(state, found)
    }
    const result = state.result
    if (!result || result.kind === "none") {
      this.o.log.warn("atlas.gap_search.none", { start, probes: result?.probes })
      return false
    }
    let to = result.firstExisting
    if (this.o.to !== null && to > this.o.to + 1n) to = this.o.to + 1n
    if (to <= result.from) return false
    this.o.log.warn("atlas.gap_search.gap", { from: result.from, to, probes: result.probes })
    this.o.space.advanceCursor(to)
    this.o.space.noteSeen(result.firstExisting)
    this.o.dropGap(result.from, to)
    this.o.recordGap(result.from, to, `forward search: ${result.probes} probes found no PGCR in [${result.from}, ${to})`)
    return true
  }
}

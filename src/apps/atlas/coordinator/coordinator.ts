/**
 * The coordinator (main thread): owns the id space. It turns acks into the low-water mark,
 * feeds the frontier controller with fetcher stats and applies its decision (claim ceiling, gap
 * search), persists the checkpoint (low-water mark and the resume state: what is unresolved above
 * it) a few times a second while it changes, and reports status. No I/O besides the checkpoint
 * and the gap-search probes, which go through the shared limiter like every request.
 */
import { maxBigint } from "../../../lib/bigint.ts"
import type { Sql } from "../../../lib/database/postgres.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { Limiter } from "../../../lib/ratelimit/index.ts"
import type { IdSpace } from "../shared/id-space.ts"
import type { FetcherStats, FetcherToMain, WriterToMain } from "../shared/messages.ts"
import type { AtlasMetrics } from "./atlas-metrics.ts"
import { saveCheckpoint } from "./checkpoint.ts"
import { ClaimTimeline } from "./claim-timeline.ts"
import { applyGapProbe, type ControllerDecision, createGapSearch, type FrontierController, nextGapProbe } from "./controller/index.ts"
import { DEFAULT_GAP_EVIDENCE, type GapEvidenceOptions, judgeGap, judgeRecheck } from "./gap-evidence.ts"
import { type PendingGap, pendingGapsOf, restoredIds } from "./pending-gaps.ts"
import type { CompletionProbe, Probe } from "./probe.ts"
import { ResolutionTracker } from "./resolution-tracker.ts"
import { captureRuns, DEFAULT_RESUME_LIMITS, planResume, type ResumeLimits, type ResumeState, resolvedPieces } from "./resume-state.ts"

/** Most ids of a pending gap given back to the fetchers at once (the rest is searched again). */
const HAND_BACK_CHUNK = 20_000n
/** Most ids probed one by one at a rechecked gap's start, for ids that were only unpublished then. */
const LEADING_PROBES = 16

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
  /** Completion time of the first id past a suspected gap (its age is the gap's evidence). */
  probeCompletedAt: CompletionProbe
  /** What the previous run left unresolved above `start`; null = nothing known. */
  resume: ResumeState | null
  /** Hands claimed-but-unresolved ids to the fetchers (a restart, a pending range given back). */
  handBack: (ids: BigInt64Array, since: Float64Array) => void
  gapEvidence?: GapEvidenceOptions
  resumeLimits?: ResumeLimits
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
  private lastSaved: string | null = null
  private readonly timeline = new ClaimTimeline()
  private pendingGaps: PendingGap[] = []
  private readonly evidence: GapEvidenceOptions
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
    this.evidence = o.gapEvidence ?? DEFAULT_GAP_EVIDENCE
    if (o.resume) {
      this.tracker.restore(resolvedPieces(o.resume))
      this.timeline.restore(o.resume.unresolved.filter((r) => !r.pendingGap))
      this.pendingGaps = pendingGapsOf(o.resume, this.evidence.lateWindowMs)
    }
    this.timeline.note(this.now(), o.space.cursor)
  }

  /**
   * A restart: the ids the previous run left unresolved go back to the fetchers (with how long
   * they have been waiting); its pending gaps wait here for their evidence. Call once the
   * fetchers run.
   */
  resumeFetching(): void {
    if (!this.o.resume) return
    const { ids, since } = restoredIds(this.o.resume)
    this.o.log.info("atlas.resume", {
      lowWater: this.o.resume.lowWater,
      highWater: this.o.resume.highWater,
      unresolved: ids.length,
      pendingGaps: this.pendingGaps.length,
    })
    if (ids.length > 0) this.o.handBack(ids, since)
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
    this.timeline.note(now, space.cursor)
    this.timeline.prune(this.tracker.lowWater)
    let ceiling = decision.ceiling
    if (this.o.to !== null && ceiling > this.o.to + 1n) ceiling = this.o.to + 1n
    // Never pull the ceiling under ids already claimed: it only gates new claims anyway.
    space.setCeiling(ceiling)
    this.decision = decision
    if (decision.deadBlockSuspected && this.gapSearch === null) this.startGapSearch()
    else if (this.gapSearch === null && this.pendingGaps.some((g) => g.dueAt <= now)) this.startRecheck(now)
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

  /**
   * Persists the checkpoint when anything moved (the mark, the cursor, an id resolved above the
   * mark); never two writes at once.
   */
  async persist(force = false): Promise<void> {
    if (this.saving) await this.saving
    const lowWater = this.tracker.lowWater
    const cursor = this.o.space.cursor
    const key = `${lowWater}:${cursor}:${this.tracker.total}:${this.pendingGaps.length}`
    if (!force && this.lastSaved === key) return
    const resume = this.captureResume(lowWater, cursor)
    this.saving = saveCheckpoint(this.o.sql, this.o.crawler, {
      lowWater,
      highWater: resume.highWater,
      frontier: this.decision?.frontierEstimate ?? null,
      resume,
    }).then(
      () => {
        this.lastSaved = key
      },
      (error) => {
        // A lost checkpoint write only means a longer refetch after a crash; keep crawling.
        this.o.log.warn("atlas.checkpoint.failed", { error })
      },
    )
    await this.saving
    this.saving = null
  }

  /** What a restart needs: the unresolved runs in [lowWater, cursor), their waiting times, pending gaps. */
  captureResume(lowWater = this.tracker.lowWater, cursor = this.o.space.cursor): ResumeState {
    const limits = this.o.resumeLimits ?? DEFAULT_RESUME_LIMITS
    const runs = this.tracker.unresolvedRuns(cursor, limits.maxRuns)
    const now = this.now()
    return planResume(
      lowWater,
      cursor,
      captureRuns(runs, this.pendingGaps, (id) => this.timeline.claimedAt(id, now)),
      limits,
    )
  }

  /**
   * When the youngest unresolved id below the cursor began waiting (epoch ms), pending gaps aside;
   * null when none waits. A fleet parks a range with only holes left until about their next try.
   */
  holesSince(): number | null {
    let youngest: number | null = null
    for (const run of this.captureResume().unresolved) {
      if (!run.pendingGap && (youngest === null || run.since > youngest)) youngest = run.since
    }
    return youngest
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

  /** The forward search from `start`; null when the crawl stopped meanwhile. */
  private async searchForward(start: bigint, maxDistance?: bigint) {
    let state = createGapSearch(maxDistance === undefined ? { start } : { start, maxDistance })
    for (let probe = nextGapProbe(state); probe !== null; probe = nextGapProbe(state)) {
      if (this.o.space.stopped) return null
      let found: bigint | null = null
      for (let i = 0; i < probe.count && found === null; i++) {
        if ((await this.o.probe(probe.from + BigInt(i))) === "exists") found = probe.from + BigInt(i)
      }
      state = applyGapProbe(state, found)
    }
    return state.result
  }

  /** Returns true when the cursor jumped a gap (recorded, or pending its evidence). */
  private async runGapSearch(start: bigint): Promise<boolean> {
    const searchedAt = this.now()
    const result = await this.searchForward(start)
    if (!result || result.kind === "none") {
      this.o.log.warn("atlas.gap_search.none", { start, probes: result?.probes })
      return false
    }
    let to = result.firstExisting
    if (this.o.to !== null && to > this.o.to + 1n) to = this.o.to + 1n
    if (to <= result.from) return false
    const verdict = judgeGap(
      { from: result.from, to, searchedAt, seenAt: this.now(), completedAt: await this.o.probeCompletedAt(result.firstExisting) },
      this.evidence,
    )
    this.o.space.noteSeen(result.firstExisting)
    if (verdict.action === "holes") {
      // Too young to prove anything and small: the fetchers try the ids as holes (stored, or
      // ledgered when their time is up); the ids past them are the head now.
      this.o.log.info("atlas.gap_search.holes", { from: result.from, to, probes: result.probes })
      this.o.controller.observeExisting(this.now(), result.firstExisting, null)
      return false
    }
    this.o.space.advanceCursor(to)
    this.o.dropGap(result.from, to)
    if (verdict.action === "pending") {
      // Unfetched and unresolved (the mark waits here, the checkpoint keeps it) until the window
      // has passed; then searched again (startRecheck).
      this.o.log.warn("atlas.gap_search.pending", { from: result.from, to, probes: result.probes, dueAt: new Date(verdict.dueAt) })
      this.pendingGaps.push({ from: result.from, to, evidenceAt: verdict.evidenceAt, dueAt: verdict.dueAt })
      return true
    }
    this.o.log.warn("atlas.gap_search.gap", { from: result.from, to, probes: result.probes })
    this.o.recordGap(result.from, to, `forward search: ${result.probes} probes found no PGCR in [${result.from}, ${to})`)
    return true
  }

  /** The first pending gap whose window has passed is searched again: recorded, or given back. */
  private startRecheck(now: number): void {
    const gap = this.pendingGaps.find((g) => g.dueAt <= now)!
    this.o.log.info("atlas.gap_recheck.start", { from: gap.from, to: gap.to })
    this.gapSearch = this.recheck(gap)
      .catch((error) => {
        this.o.log.error("atlas.gap_recheck.failed", { error })
        // Try again later rather than at every tick.
        gap.dueAt = this.now() + 60_000
      })
      .then(() => {
        this.gapSearch = null
      })
  }

  private async recheck(gap: PendingGap): Promise<void> {
    const searchedAt = this.now()
    // The search never probes its start (a known 404 when the block was found, but that was a
    // window ago): probe it first. Undecided probes count as existing: no gap on a doubt.
    const startExists = (await this.o.probe(gap.from)) === "exists"
    if (startExists) {
      const leadEnd = await this.leadingPublishedEnd(gap)
      if (leadEnd !== null) {
        // A block found at the head can begin with ids that were only unpublished then: they go
        // back to the fetchers, and the rest (same evidence, window passed) is searched again now.
        this.pendingGaps = this.pendingGaps.map((g) => (g === gap ? { ...gap, from: leadEnd, dueAt: searchedAt } : g))
        this.o.log.info("atlas.gap_recheck.leading_published", { from: gap.from, to: leadEnd, rest: gap.to })
        this.handBackRange(gap.from, leadEnd, gap.evidenceAt)
        return
      }
    }
    // Its last probe starts at the end found before: the same end proves the range still empty.
    const result = startExists ? null : await this.searchForward(gap.from, gap.to - gap.from)
    if (!startExists && result === null) return
    const firstExisting = startExists ? gap.from : result?.kind === "gap" ? result.firstExisting : null
    const verdict = judgeRecheck(gap, searchedAt, firstExisting, this.evidence)
    if (verdict === "wait") return
    this.pendingGaps = this.pendingGaps.filter((g) => g !== gap)
    if (verdict === "record") {
      this.o.log.warn("atlas.gap_search.gap", { from: gap.from, to: gap.to, probes: result?.probes, rechecked: true })
      this.o.recordGap(gap.from, gap.to, `forward search, rechecked after the late-publication window: no PGCR in [${gap.from}, ${gap.to})`)
      return
    }
    // Given back in bounded chunks: the rest stays pending and is searched again at the next
    // step (from its own start), so a huge block never floods the fetchers' queues at once.
    const end = gap.to - gap.from > HAND_BACK_CHUNK ? gap.from + HAND_BACK_CHUNK : gap.to
    if (end < gap.to) this.pendingGaps.push({ ...gap, from: end })
    this.o.log.warn("atlas.gap_search.given_back", { from: gap.from, to: end, firstExisting })
    this.handBackRange(gap.from, end, gap.evidenceAt)
  }

  /**
   * The end of the run of ids that exist now at a pending gap's start (whose first id exists):
   * the first id answering 404 within LEADING_PROBES of the start, or null when the run is longer
   * or reaches the gap's end (then the usual recheck decides). Undecided probes count as existing.
   */
  private async leadingPublishedEnd(gap: PendingGap): Promise<bigint | null> {
    for (let id = gap.from + 1n; id < gap.to && id - gap.from <= LEADING_PROBES; id++) {
      if (this.o.space.stopped) return null
      if ((await this.o.probe(id)) === "missing") return id
    }
    return null
  }

  private handBackRange(from: bigint, to: bigint, since: number): void {
    const ids = new BigInt64Array(Number(to - from))
    for (let i = 0; i < ids.length; i++) ids[i] = from + BigInt(i)
    this.o.handBack(ids, new Float64Array(ids.length).fill(since))
  }
}

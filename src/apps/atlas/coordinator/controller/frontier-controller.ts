/**
 * The coordinator's frontier controller: in-process counters and a decision every tick
 * (~1 s), no Prometheus round trip. Pure: the caller passes time and observations in and
 * applies the decision (sets the claim ceiling in the id space, starts a gap search).
 *
 *   const c = createFrontierController()
 *   on fetcher stats:  c.observeFirstTries(now, stats.notFoundFirst, stats.firstTries)
 *                      c.observeResolved(now, stats.raids + stats.nonRaids + stats.missed)
 *                      c.observeLags(now, stats.lagSamples.map((s) => s * 1000))
 *   on newest existing id (and its completion time when known): c.observeExisting(now, id, completedAt)
 *   every second:      const d = c.tick(now, { lowWater, cursor, ceiling })
 *                      idSpace.setCeiling(d.ceiling); if (d.deadBlockSuspected) start a gap search
 */

import {
  createDeadBlockState,
  DEFAULT_DEAD_BLOCK_PARAMS,
  type DeadBlockParams,
  type DeadBlockState,
  detectDeadBlock,
  quietDeadBlock,
} from "./dead-block-detector.ts"
import { addDecaying, computeDecayingShare, createDecayingSum, type DecayingSum, readDecayingRate } from "./decaying-counter.ts"
import { addFrontierSample, createFrontierSamples, type FrontierSamples, fitFrontier, resetFrontierSamples } from "./frontier-estimate.ts"
import { computeLagQuantile, createLagHistogram, type LagHistogram, observeLag } from "./lag-histogram.ts"
import { DEFAULT_LEAD_PARAMS, type LeadParams, stepLead } from "./lead-controller.ts"

export interface FrontierControllerOptions {
  lead: LeadParams
  deadBlock: DeadBlockParams
  /** Half-life of the 404 share and the rates: seconds, so the controller reacts in seconds. */
  halfLifeMs: number
  /** First tries (decayed weight) needed before the 404 share counts. */
  minFirstTries: number
  /** Most ids the ceiling may run ahead of the low-water mark (bounds memory and retries). */
  maxWindow: number
  /** Ceiling lead past the low-water mark before any frontier sample exists. */
  initialWindow: number
  /** Id rate assumed until the frontier fit has data (ids/s). */
  fallbackIdRate: number
  /** Smallest window: fetchers always have something to claim past the low-water mark. */
  minWindow: number
  /**
   * Probe floor: the ceiling never sits below the virtual head (see probeGraceMs) plus
   * max(`minProbeIds`, `probeLeadSec` of the id rate), however far the 404s pulled the lead
   * down. Without it a ceiling at or under the cursor claims nothing, so nothing is observed and
   * nothing moves. A fixed probe past the newest id costs lag (each early 404 waits for its
   * retry: 8 ids doubled lag p50 in the coordinator-like simulation), hence 1 id and 0 s.
   */
  minProbeIds: number
  probeLeadSec: number
  /**
   * The probe base is a virtual head: anchored at the newest existing id seen (and when we saw
   * it), it advances by the id rate over wall-clock time once this grace has passed, and is
   * re-anchored whenever discovery catches up with it. So when nothing new is seen, or only a
   * trickle far slower than the id rate (a late clump with a few published ids in it), the
   * ceiling keeps moving and the crawl walks through to the existing ids after the clump; at
   * the real head the 404s pull the lead back and discovery re-anchors the base there. Longer
   * than Bungie's publication batches (0.5-2 s), so between batches the lead alone decides.
   */
  probeGraceMs: number
  /**
   * Least rate (ids/s) the virtual head advances at: a rate fitted on discovery times measures
   * our own pace when the ceiling holds us back, which would let a slow crawl justify itself.
   * Bungie creates 25-100 ids/s.
   */
  minProbeRate: number
  /**
   * Look-ahead: first tries 404 at or above this share for `lookAheadSustainMs` means the crawl
   * is either past the head or inside a clump Bungie publishes late. Only ids further on can
   * tell, so the coordinator probes a few (lookAheadOffsets past the cursor); an existing one
   * moves the head there at once, instead of walking through the clump at the probe rate while
   * the real head runs away.
   */
  lookAheadShare: number
  lookAheadSustainMs: number
  /** Rest between look-aheads (each costs lookAheadOffsets.length requests). */
  lookAheadCooldownMs: number
  lookAheadOffsets: readonly number[]
}

export const DEFAULT_FRONTIER_CONTROLLER_OPTIONS: Readonly<FrontierControllerOptions> = Object.freeze({
  lead: DEFAULT_LEAD_PARAMS,
  deadBlock: DEFAULT_DEAD_BLOCK_PARAMS,
  halfLifeMs: 3_000,
  minFirstTries: 20,
  maxWindow: 200_000,
  initialWindow: 2_000,
  fallbackIdRate: 50,
  minWindow: 32,
  minProbeIds: 1,
  probeLeadSec: 0,
  probeGraceMs: 2_000,
  minProbeRate: 40,
  lookAheadShare: 0.5,
  lookAheadSustainMs: 2_000,
  lookAheadCooldownMs: 10_000,
  lookAheadOffsets: [50, 100, 200, 400, 800, 1_600],
})

export interface TickInputs {
  /** All ids below it are resolved. */
  lowWater: bigint
  /** Next id a fetcher would claim. */
  cursor: bigint
  /** The ceiling currently in force (exclusive). */
  ceiling: bigint
}

export interface ControllerDecision {
  /** New exclusive claim ceiling. */
  ceiling: bigint
  /** ceiling - lowWater, in ids. */
  window: number
  leadSec: number
  /** Decayed share of 404s among first tries; NaN without data. */
  share404: number
  firstTriesPerSec: number
  resolvedPerSec: number
  lagP50Ms: number
  lagP90Ms: number
  lagP99Ms: number
  frontierEstimate: bigint | null
  idRate: number
  /** Nearly all first tries 404 for a sustained time: run a gap search from lowWater. */
  deadBlockSuspected: boolean
  /** Most first tries 404 for a while: probe these ids past the cursor (see lookAheadShare). */
  lookAhead: readonly bigint[] | null
}

export interface FrontierController {
  observeFirstTries(now: number, notFound: number, total: number): void
  observeResolved(now: number, count: number): void
  observeLags(now: number, lagsMs: readonly number[]): void
  observeExisting(now: number, id: bigint, completedAt: number | null): void
  tick(now: number, inputs: TickInputs): ControllerDecision
  /**
   * A gap search ended: the detector rests for its cooldown. When a gap was skipped, the
   * frontier samples before the jump would bend the fitted line, so they are dropped, and the
   * lead (driven down while everything 404ed) starts over.
   */
  noteGapSearchDone(now: number, skippedGap: boolean): void
}

export function createFrontierController(options: Partial<FrontierControllerOptions> = {}, now = 0): FrontierController {
  const o: FrontierControllerOptions = { ...DEFAULT_FRONTIER_CONTROLLER_OPTIONS, ...options }
  const notFound: DecayingSum = createDecayingSum(now)
  const firstTries: DecayingSum = createDecayingSum(now)
  const resolved: DecayingSum = createDecayingSum(now)
  // A short window (10 s): the controller must see the present, the status line has its own.
  const lags: LagHistogram = createLagHistogram({ segmentMs: 2_000, segments: 5 })
  const samples: FrontierSamples = createFrontierSamples()
  const deadBlock: DeadBlockState = createDeadBlockState()
  let leadSec = 0
  // Newest existing id seen: the probe floor's base.
  let newestSeen: bigint | null = null
  // Virtual head: anchor id and time, advancing at probeRate after the grace (see probeGraceMs).
  let anchor: bigint | null = null
  let anchorAt = Number.NaN
  let probeRate = o.fallbackIdRate
  const readVirtualHead = (t: number): bigint | null =>
    anchor === null ? null : anchor + BigInt(Math.round((Math.max(0, t - anchorAt - o.probeGraceMs) / 1000) * probeRate))
  let lookAheadSince = Number.NaN
  let lookAheadQuietUntil = Number.NEGATIVE_INFINITY
  let notFoundSinceTick = 0
  let firstTriesSinceTick = 0

  return {
    observeFirstTries(t, nf, total) {
      addDecaying(notFound, o.halfLifeMs, t, nf)
      addDecaying(firstTries, o.halfLifeMs, t, total)
      notFoundSinceTick += nf
      firstTriesSinceTick += total
    },
    observeResolved(t, count) {
      addDecaying(resolved, o.halfLifeMs, t, count)
    },
    observeLags(t, lagsMs) {
      for (const lag of lagsMs) observeLag(lags, t, lag)
    },
    observeExisting(t, id, completedAt) {
      addFrontierSample(samples, id, completedAt ?? t)
      if (newestSeen === null || id > newestSeen) {
        newestSeen = id
        const virtual = readVirtualHead(t)
        if (virtual === null || id >= virtual) {
          anchor = id
          anchorAt = t
        }
      }
    },
    tick(t, inputs) {
      const share404 = computeDecayingShare(notFound, firstTries, o.halfLifeMs, t, o.minFirstTries)
      // Binding: fetchers reached the ceiling, so it (not the rate limit) held them back.
      const ceilingBinding = inputs.cursor >= inputs.ceiling
      const lagP50Ms = computeLagQuantile(lags, t, 0.5)
      // No first try since the last tick: the share is stale (nothing new was claimed), so it
      // must not keep pushing the lead down.
      const freshShare = firstTriesSinceTick > 0 ? share404 : Number.NaN
      leadSec = stepLead(leadSec, { share404: freshShare, ceilingBinding, lagP50Ms }, o.lead)
      const fit = fitFrontier(samples, t, o.fallbackIdRate)
      const idRate = fit?.idRate ?? o.fallbackIdRate
      const idsPerSec = Math.max(idRate, 1)
      if (fit !== null) {
        // Anti-windup downwards: a ceiling far below the cursor holds nothing back that a
        // ceiling at the cursor would not, but would take many ticks to climb out of.
        const floorSec = Number(inputs.cursor - fit.estimate) / idsPerSec - 1
        if (leadSec < floorSec) leadSec = Math.min(o.lead.maxLeadSec, floorSec)
      }
      const maxCeiling = inputs.lowWater + BigInt(o.maxWindow)
      const minCeiling = inputs.lowWater + BigInt(o.minWindow)
      let ceiling = fit === null ? inputs.lowWater + BigInt(o.initialWindow) : fit.estimate + BigInt(Math.round(leadSec * idsPerSec))
      let estimate = fit?.estimate ?? null
      if (newestSeen !== null) {
        // Nothing (or only a trickle) new for a while: the head kept moving at the id rate
        // even if we saw little of it.
        probeRate = Math.max(idsPerSec, o.minProbeRate)
        const virtual = readVirtualHead(t)
        const probeBase = virtual !== null && virtual > newestSeen ? virtual : newestSeen
        if (estimate === null || probeBase > estimate) estimate = probeBase
        const probeFloor = probeBase + BigInt(Math.max(o.minProbeIds, Math.round(o.probeLeadSec * idsPerSec)))
        if (ceiling < probeFloor) {
          ceiling = probeFloor
          // Back-calculation anti-windup: while the floor holds the ceiling, 404s must not wind
          // the lead further down, or the ceiling drops far under the head once the floor lets go.
          if (fit !== null) leadSec = Math.max(leadSec, Math.min(o.lead.maxLeadSec, Number(probeFloor - fit.estimate) / idsPerSec))
        }
      }
      if (ceiling > maxCeiling) ceiling = maxCeiling
      if (ceiling < minCeiling) ceiling = minCeiling
      const deadBlockSuspected = detectDeadBlock(deadBlock, o.deadBlock, t, share404, notFoundSinceTick)
      let lookAhead: bigint[] | null = null
      if (freshShare >= o.lookAheadShare) {
        if (Number.isNaN(lookAheadSince)) lookAheadSince = t
        if (t - lookAheadSince >= o.lookAheadSustainMs && t >= lookAheadQuietUntil && !deadBlockSuspected) {
          lookAhead = o.lookAheadOffsets.map((k) => inputs.cursor + BigInt(k))
          lookAheadQuietUntil = t + o.lookAheadCooldownMs
          lookAheadSince = Number.NaN
        }
      } else if (firstTriesSinceTick > 0) {
        // Fresh and below the share: not stuck (no data at all keeps the clock running).
        lookAheadSince = Number.NaN
      }
      notFoundSinceTick = 0
      firstTriesSinceTick = 0
      return {
        ceiling,
        window: Number(ceiling - inputs.lowWater),
        leadSec,
        share404,
        firstTriesPerSec: readDecayingRate(firstTries, o.halfLifeMs, t),
        resolvedPerSec: readDecayingRate(resolved, o.halfLifeMs, t),
        lagP50Ms,
        lagP90Ms: computeLagQuantile(lags, t, 0.9),
        lagP99Ms: computeLagQuantile(lags, t, 0.99),
        frontierEstimate: estimate,
        idRate,
        deadBlockSuspected,
        lookAhead,
      }
    },
    noteGapSearchDone(t, skippedGap) {
      quietDeadBlock(deadBlock, o.deadBlock, t, skippedGap)
      if (skippedGap) {
        resetFrontierSamples(samples)
        newestSeen = null
        anchor = null
        anchorAt = Number.NaN
        leadSec = 0
      }
    },
  }
}

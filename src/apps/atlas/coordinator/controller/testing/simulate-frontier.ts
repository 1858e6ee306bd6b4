/**
 * Synthetic-trace simulation of the coordinator loop around the frontier controller, in virtual
 * time: Bungie creates ids at a (possibly changing) rate, publishes them in batches, delays a few
 * by up to a minute, loses a few and may skip a whole block; fetchers with a fixed attempt
 * capacity claim ids below the controller's ceiling, retry 404s on a short schedule, and ledger
 * ids that exhaust it. Used by tests to show the controller keeps up with a small 404 share.
 */

import { createSeededRandom } from "../../../../../lib/math/seeded-random.ts"
import { EventQueue } from "../../../../../lib/ratelimit/testing/event-queue.ts"
import { type ControllerDecision, createFrontierController, type FrontierControllerOptions } from "../frontier-controller.ts"
import { applyGapProbe, createGapSearch, type GapSearchState, nextGapProbe } from "../gap-search.ts"

export interface FrontierSimOptions {
  seed: number
  durationMs: number
  /** Statistics ignore the first warmupMs. */
  warmupMs: number
  /** Ids created per second at virtual time t (ms). */
  idRate: (t: number) => number
  /** The crawler starts this far (in creation time) behind the newest created id. */
  startBehindMs: number
  publishBatchMs: [number, number]
  delayedShare: number
  delayedMs: [number, number]
  lostShare: number
  deadBlock?: { atMs: number; size: number }
  /** A run of `size` consecutive ids created at `atMs`, all published `delayMs` late (a late batch). */
  lateClump?: { atMs: number; size: number; delayMs: number }
  /**
   * Like the coordinator: existing ids are observed at their discovery time (not completion),
   * and a first-try 404 counts only when the id is past every id seen so far (fetch-loop.ts).
   */
  coordinatorLike?: boolean
  /** Attempts per second the limiter allows all fetchers together. */
  capacityPerSec: number
  latencyMs: [number, number]
  /** Delays between 404 attempts; after the last one the id goes to the ledger. */
  retryDelaysMs: number[]
  controller?: Partial<FrontierControllerOptions>
  /** Observe every tick (debugging, timelines). `frontier` = newest published id's index. */
  onTick?: (now: number, d: ControllerDecision, state: { cursor: number; lowWater: number; frontier: number }) => void
}

export interface FrontierSimResult {
  firstTries: number
  firstTry404: number
  attempts: number
  attempts404: number
  /** Publication -> resolved (ms) with the resolution time, for ids resolved after warm-up. */
  publicationLags: { at: number; lagMs: number }[]
  /** Ids that existed but went to the ledger (published later than the 404 schedule). */
  ledgeredExisting: number
  ledgeredTotal: number
  gaps: { from: bigint; to: bigint; at: number }[]
  deadBlockSuspectedAt: number[]
  /** Per tick after warm-up: the decision's 404 share (NaN without data). */
  shareTimeline: number[]
  /** First tick at which the cursor was within 5 s of ids of the newest published id. */
  caughtUpAt: number
  /** Existing ids created before the end minus 60 s and published before the end minus 90 s that were never resolved (must be 0). */
  unresolvedOld: number
  /** Longest run (ms) of ticks after warm-up with nothing claimable while the head is > 10 s of ids ahead. */
  longestStallMs: number
  /** Most ids the cursor trailed the newest published id at a tick after warm-up. */
  maxBehind: number
}

const BASE = 17_000_000_000n

export function runFrontierSimulation(o: FrontierSimOptions): FrontierSimResult {
  const random = createSeededRandom(o.seed)
  const uniform = ([lo, hi]: [number, number]) => lo + (hi - lo) * random()

  // ---- Bungie's id stream ------------------------------------------------------------------
  const created: number[] = []
  const published: number[] = []
  let t = -o.startBehindMs - 5_000
  let nextFlush = t + uniform(o.publishBatchMs)
  let skipped = false
  let clumpLeft = 0
  while (t < o.durationMs) {
    t += (-Math.log(1 - random()) * 1000) / o.idRate(Math.max(t, 0))
    while (nextFlush < t) nextFlush += uniform(o.publishBatchMs)
    if (o.deadBlock && !skipped && t >= o.deadBlock.atMs) {
      skipped = true
      for (let i = 0; i < o.deadBlock.size; i++) {
        created.push(t)
        published.push(Number.POSITIVE_INFINITY)
      }
    }
    created.push(t)
    if (o.lateClump && t >= o.lateClump.atMs && clumpLeft === 0 && created.length > 0 && created[created.length - 2]! < o.lateClump.atMs)
      clumpLeft = o.lateClump.size
    if (clumpLeft > 0) {
      clumpLeft--
      published.push(o.lateClump!.atMs + o.lateClump!.delayMs)
      continue
    }
    const r = random()
    published.push(
      r < o.lostShare ? Number.POSITIVE_INFINITY : r < o.lostShare + o.delayedShare ? nextFlush + uniform(o.delayedMs) : nextFlush,
    )
  }
  const total = created.length

  // ---- crawler -------------------------------------------------------------------------------
  const q = new EventQueue()
  const controller = createFrontierController(o.controller, 0)
  const resolved = new Uint8Array(total)
  const attemptsOf = new Uint16Array(total)
  const readyRetries: number[] = []
  let cursor = created.findIndex((c) => c >= -o.startBehindMs)
  let lowWater = cursor
  for (let i = 0; i < cursor; i++) resolved[i] = 1
  let ceiling = cursor
  let newestExisting = -1
  let search: GapSearchState | null = null
  let frontierIndex = 0
  const res: FrontierSimResult = {
    firstTries: 0,
    firstTry404: 0,
    attempts: 0,
    attempts404: 0,
    publicationLags: [],
    ledgeredExisting: 0,
    ledgeredTotal: 0,
    gaps: [],
    deadBlockSuspectedAt: [],
    shareTimeline: [],
    caughtUpAt: Number.NaN,
    unresolvedOld: 0,
    longestStallMs: 0,
    maxBehind: 0,
  }
  let stallSince = Number.NaN

  const resolve = (i: number) => {
    resolved[i] = 1
    while (lowWater < total && resolved[lowWater]) lowWater++
  }

  const attempt = (i: number) => {
    const latency = uniform(o.latencyMs)
    attemptsOf[i]!++
    const n = attemptsOf[i]!
    q.schedule(q.now + latency / 2, () => {
      const exists = published[i]! <= q.now
      q.schedule(q.now + latency / 2, () => {
        const measured = q.now >= o.warmupMs
        if (measured) {
          res.attempts++
          if (!exists) res.attempts404++
          if (n === 1) {
            res.firstTries++
            if (!exists) res.firstTry404++
          }
        }
        const head404 = !exists && (!o.coordinatorLike || i > newestExisting)
        if (n === 1) controller.observeFirstTries(q.now, head404 ? 1 : 0, 1)
        if (resolved[i]) return // a gap range resolved it meanwhile
        if (exists) {
          const lag = q.now - published[i]!
          if (measured) res.publicationLags.push({ at: q.now, lagMs: lag })
          controller.observeLags(q.now, [q.now - created[i]!])
          controller.observeExisting(q.now, BASE + BigInt(i), o.coordinatorLike ? null : created[i]!)
          controller.observeResolved(q.now, 1)
          newestExisting = Math.max(newestExisting, i)
          resolve(i)
        } else if (n <= o.retryDelaysMs.length) {
          q.schedule(q.now + o.retryDelaysMs[n - 1]! * (0.8 + 0.4 * random()), () => readyRetries.push(i))
        } else {
          res.ledgeredTotal++
          if (Number.isFinite(published[i]!)) res.ledgeredExisting++
          controller.observeResolved(q.now, 1)
          resolve(i)
        }
      })
    })
  }

  const slotMs = 1000 / o.capacityPerSec
  const runSlot = () => {
    let i = readyRetries.shift()
    while (i !== undefined && resolved[i]) i = readyRetries.shift()
    if (i !== undefined) attempt(i)
    else if (cursor < ceiling && cursor < total) attempt(cursor++)
    q.schedule(q.now + slotMs, runSlot)
  }

  const runProbe = () => {
    if (search === null) return
    const probe = nextGapProbe(search)
    if (probe === null) {
      const result = search.result!
      search = null
      if (result.kind === "gap") {
        res.gaps.push({ from: result.from, to: result.to, at: q.now })
        for (let k = Number(result.from - BASE); k <= Number(result.to - BASE); k++) if (!resolved[k]) resolve(k)
        cursor = Math.max(cursor, Number(result.to - BASE) + 1)
      }
      controller.noteGapSearchDone(q.now, result.kind === "gap")
      return
    }
    let first: bigint | null = null
    for (let k = 0; k < probe.count; k++) {
      const idx = Number(probe.from - BASE) + k
      if (idx < total && published[idx]! <= q.now) {
        first = probe.from + BigInt(k)
        break
      }
    }
    search = applyGapProbe(search, first)
    q.schedule(q.now + uniform(o.latencyMs) + slotMs, runProbe)
  }

  const tick = () => {
    const d = controller.tick(q.now, { lowWater: BASE + BigInt(lowWater), cursor: BASE + BigInt(cursor), ceiling: BASE + BigInt(ceiling) })
    ceiling = Math.min(total, Number(d.ceiling - BASE))
    if (q.now >= o.warmupMs) res.shareTimeline.push(d.share404)
    // Newest published id: scan back from the newest created one.
    while (frontierIndex + 1 < total && created[frontierIndex + 1]! <= q.now) frontierIndex++
    let frontier = frontierIndex
    while (frontier > 0 && !(published[frontier]! <= q.now)) frontier--
    if (Number.isNaN(res.caughtUpAt) && frontier - cursor <= 5 * o.idRate(q.now)) res.caughtUpAt = q.now
    if (q.now >= o.warmupMs) {
      res.maxBehind = Math.max(res.maxBehind, frontier - cursor)
      // Stalled: nothing claimable although the head is more than 10 s of ids ahead.
      if (ceiling <= cursor && frontier - cursor > 10 * o.idRate(q.now)) {
        if (Number.isNaN(stallSince)) stallSince = q.now
        res.longestStallMs = Math.max(res.longestStallMs, q.now - stallSince)
      } else stallSince = Number.NaN
    }
    o.onTick?.(q.now, d, { cursor, lowWater, frontier })
    if (d.deadBlockSuspected && search === null) {
      res.deadBlockSuspectedAt.push(q.now)
      search = createGapSearch({ start: BASE + BigInt(newestExisting + 1), stepScale: 1 + 0.5 * random() })
      runProbe()
    }
    q.schedule(q.now + 1_000, tick)
  }

  q.schedule(0, runSlot)
  q.schedule(0, tick)
  q.runUntil(o.durationMs)
  for (let i = 0; i < total; i++) {
    // Published 90 s before the end: even the longest retry interval (64 s, +20 % jitter) tried it since.
    if (created[i]! < o.durationMs - 60_000 && Number.isFinite(published[i]!) && published[i]! < o.durationMs - 90_000 && !resolved[i])
      res.unresolvedOld++
  }
  return res
}

/**
 * The discovery floor of following the head (pure, unit-tested): how soon after publication a
 * crawler first gets a PGCR when it tries each id once at a time predicted from the ids before
 * it, retries a 404 on Atlas's not-found schedule, and may see at most a given share of first
 * tries answered 404. Computed from the simulator's truth for the ids of a window.
 *
 * The predictor knows the exact publication time of every id at least `guardIds` below (a real
 * crawler knows them only roughly, through its fetches) and fits a robust line (Theil–Sen, so a
 * late clump does not bend it) through the `fitIds` before those. Whatever a crawler of this kind
 * does, it cannot do better by prediction alone; the measured lag above this floor is the crawler's
 * own (fetch latency, writer batching, control). Ids never published (skipped, lost, dead) always
 * answer 404 on their first try and count against the share.
 */
import { quantileOf } from "../../src/lib/math/percentile.ts"
import { type Distribution, summarize } from "./stats.ts"

export interface FloorId {
  /** null: never published. */
  publishedAt: number | null
  /** Counted in the lag (e.g. raids and Pantheon ids, as the frontier bench measures them). */
  measured: boolean
}

export interface FloorOptions {
  /** Highest share of first tries answered 404 (the frontier controller's target). */
  share404: number
  /** Ids just below the one predicted whose publication times the predictor does not know. */
  guardIds?: number
  /** Ids the line is fitted through. */
  fitIds?: number
  /** Waits between tries of an id answered 404 (Atlas's notFoundScheduleMs; the last repeats). */
  retryScheduleMs: readonly number[]
}

export interface FloorReport {
  /** Ids predicted (every id of the input after the first guard + fit ids). */
  ids: number
  /** How long after its predicted publication each id is first tried. */
  offsetMs: number
  /** Share of first tries answered 404 at that offset. */
  share404: number
  /** Publication → first answer with the PGCR, over the measured published ids. */
  lagSeconds: Distribution
  /** Ids never published among the predicted: alone they use this share of the 404 budget. */
  neverPublishedShare: number
}

/** An id published this much later than an id above it is a late one, not jitter. */
const LATE_TOLERANCE_MS = 1_000

export function computeFrontierFloor(ids: readonly FloorId[], o: FloorOptions): FloorReport {
  const guard = o.guardIds ?? 25
  const fit = o.fitIds ?? 200
  const predicted: { at: number; id: FloorId }[] = []
  for (let k = guard + fit; k < ids.length; k++) {
    const at = predictPublication(ids, k - guard - fit, k - guard, k)
    if (at !== null) predicted.push({ at, id: ids[k]! })
  }
  const never = predicted.filter((p) => p.id.publishedAt === null).length
  const n = predicted.length
  // The smallest offset whose first tries stay within the 404 budget: the residuals above it
  // (ids published later than predicted + offset) and the never-published ids are the 404s.
  const residuals = predicted
    .filter((p) => p.id.publishedAt !== null)
    .map((p) => p.id.publishedAt! - p.at)
    .sort((a, b) => a - b)
  const allowedLate = Math.floor(o.share404 * n) - never
  const offsetMs =
    residuals.length === 0
      ? 0
      : allowedLate >= residuals.length
        ? residuals[0]!
        : allowedLate < 0
          ? residuals.at(-1)!
          : residuals[residuals.length - 1 - allowedLate]!
  let firstTry404 = never
  const lags: number[] = []
  for (const { at, id } of predicted) {
    if (id.publishedAt === null) continue
    let t = at + offsetMs
    if (t < id.publishedAt) firstTry404++
    for (let attempt = 0; t < id.publishedAt; attempt++) {
      t += o.retryScheduleMs[Math.min(attempt, o.retryScheduleMs.length - 1)]!
    }
    if (id.measured) lags.push((t - id.publishedAt) / 1000)
  }
  return {
    ids: n,
    offsetMs,
    share404: n === 0 ? 0 : firstTry404 / n,
    lagSeconds: summarize(lags),
    neverPublishedShare: n === 0 ? 0 : never / n,
  }
}

/**
 * Publication time of id `k` from a line through the published ids of [from, to). Ids published
 * more than a second after some id above them are late (a clump Bungie published at once) and left
 * out; the line is Theil–Sen's (median slope and intercept), robust to the jitter of the rest.
 */
function predictPublication(ids: readonly FloorId[], from: number, to: number, k: number): number | null {
  const points: [number, number][] = []
  let earliestAbove = Number.POSITIVE_INFINITY
  for (let j = to - 1; j >= from; j--) {
    const at = ids[j]!.publishedAt
    if (at === null) continue
    if (at <= earliestAbove + LATE_TOLERANCE_MS) points.push([j, at])
    earliestAbove = Math.min(earliestAbove, at)
  }
  points.reverse()
  if (points.length < 2) return null
  // Slopes between each point of the first half and its partner in the second: a sample of
  // Theil–Sen's pairs that is linear in the window, still robust to a minority of late ids.
  const half = Math.floor(points.length / 2)
  const slopes: number[] = []
  for (let i = 0; i < half; i++) {
    const [x1, y1] = points[i]!
    const [x2, y2] = points[i + half]!
    slopes.push((y2 - y1) / (x2 - x1))
  }
  const slope = quantileOf(slopes, 0.5)
  const intercept = quantileOf(
    points.map(([x, y]) => y - slope * x),
    0.5,
  )
  return intercept + slope * k
}

/** The sweep's grid and its winner (pure, unit-tested). */

export interface GridPoint {
  fetchers: number
  maxConcurrency: number
  batchSize: number
}

export function buildGrid(axes: { fetchers: readonly number[]; concurrency: readonly number[]; batch: readonly number[] }): GridPoint[] {
  const points: GridPoint[] = []
  for (const fetchers of axes.fetchers) {
    for (const maxConcurrency of axes.concurrency) {
      for (const batchSize of axes.batch) points.push({ fetchers, maxConcurrency, batchSize })
    }
  }
  return points
}

/** Index of the best score (higher is better); NaN scores never win; -1 when none is finite. */
export function pickBest(scores: readonly number[]): number {
  let best = -1
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!
    if (!Number.isFinite(s)) continue
    if (best === -1 || s > scores[best]!) best = i
  }
  return best
}

/** How much the best score beats the runner-up (best / second - 1); NaN with fewer than two. */
export function computeWinningMargin(scores: readonly number[]): number {
  const finite = scores.filter((s) => Number.isFinite(s)).sort((a, b) => b - a)
  if (finite.length < 2 || finite[1]! === 0) return Number.NaN
  return finite[0]! / finite[1]! - 1
}

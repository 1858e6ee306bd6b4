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

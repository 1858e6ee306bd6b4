/**
 * A player's time in the activity: the union of their characters' intervals
 * [startSeconds, startSeconds + timePlayedSeconds), so two characters overlapping (a character
 * swap, or Bungie double-reporting) are counted once.
 *
 * The original walked a per-second array of length duration+1; for a 116,285-second report that is
 * a 116k-element allocation per player. Sorting and merging intervals gives the same count in
 * O(k log k) for k characters, independent of the duration.
 */

export interface Interval {
  startSeconds: number
  timePlayedSeconds: number
}

/**
 * Seconds covered by the union of the intervals, each clipped to [0, durationSeconds].
 * (The original's array also clipped at the duration, but counted one second too many when an
 * interval ran past it — an off-by-one we do not copy.)
 */
export function computeTimePlayed(intervals: readonly Interval[], durationSeconds: number): number {
  const clipped: Array<[number, number]> = []
  for (const { startSeconds, timePlayedSeconds } of intervals) {
    const start = Math.max(0, startSeconds)
    const end = Math.min(durationSeconds, startSeconds + timePlayedSeconds)
    if (end > start) clipped.push([start, end])
  }
  clipped.sort((a, b) => a[0] - b[0])
  let total = 0
  let runStart = -1
  let runEnd = -1
  for (const [start, end] of clipped) {
    if (start > runEnd) {
      total += runEnd - runStart
      runStart = start
      runEnd = end
    } else if (end > runEnd) {
      runEnd = end
    }
  }
  return total + (runEnd - runStart)
}

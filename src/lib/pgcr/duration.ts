/**
 * The activity duration, guarded against absurd reports.
 *
 * The original takes `entries[0].activityDurationSeconds` as is, and `dateCompleted = period +
 * duration`. Bungie sometimes reports durations far beyond anyone's presence (bungie.md §10:
 * 27,384 s while nobody played past 1,093 s), which puts `dateCompleted` hours after the PGCR even
 * existed (instance ids follow the moment the last player left, bungie.md §9) and corrupts lag,
 * completion order and clear times.
 *
 * Rule (deliberate difference from the original): let `observedEnd = max(startSeconds +
 * timePlayedSeconds)` over all entries. If the reported duration exceeds it by more than
 * `ABSURD_DURATION_SLACK_SECONDS`, and no entry hit Bungie's 32,767-second stat cap (then the
 * observed end is only a lower bound, e.g. the 21.6-hour Deep Stone Crypt launch run), the duration
 * becomes `observedEnd`. The slack keeps every ordinary report untouched: failed or abandoned runs
 * routinely report ~30 s more than the last departure (the instance lingers before closing).
 */

/** Bungie's per-entry seconds stats saturate at the int16 maximum. */
export const STAT_SECONDS_CAP = 32_767
export const ABSURD_DURATION_SLACK_SECONDS = 600

export interface EntrySpan {
  startSeconds: number
  timePlayedSeconds: number
}

export interface GuardedDuration {
  durationSeconds: number
  /** True when the reported duration was replaced by the observed end. */
  clamped: boolean
}

export function guardDuration(reportedSeconds: number, spans: readonly EntrySpan[]): GuardedDuration {
  let observedEnd = 0
  for (const span of spans) {
    if (span.startSeconds >= STAT_SECONDS_CAP || span.timePlayedSeconds >= STAT_SECONDS_CAP) {
      return { durationSeconds: reportedSeconds, clamped: false }
    }
    observedEnd = Math.max(observedEnd, span.startSeconds + span.timePlayedSeconds)
  }
  if (observedEnd > 0 && reportedSeconds > observedEnd + ABSURD_DURATION_SLACK_SECONDS) {
    return { durationSeconds: observedEnd, clamped: true }
  }
  return { durationSeconds: reportedSeconds, clamped: false }
}

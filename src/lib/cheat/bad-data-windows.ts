/**
 * Periods in which the game produced runs the heuristics would misread, and the runs they exempt.
 * Dates are the original's (UTC).
 */
import type { DateWindow, LowmanExemption } from "./heuristics-types.ts"

const utc = (iso: string) => new Date(`${iso}Z`)

/** Runs overlapping one of these are skipped entirely (the verdict says which). */
export const BAD_DATA_WINDOWS: readonly DateWindow[] = [
  // Weapon crafting bug: kill counts and durations of that weekend are unusable.
  { name: "craftening", start: utc("2023-09-15T13:54:00"), end: utc("2023-09-18T04:00:09") },
  // Quickfang exploit week: mass false positives when it was checked.
  { name: "quickfang", start: utc("2025-09-16T17:00:00"), end: utc("2025-09-23T17:00:00") },
  // Bow mod bug week.
  { name: "bow mod", start: utc("2026-01-27T17:00:00"), end: utc("2026-02-03T17:00:00") },
]

/** Incomplete runs of these are skipped: Shuro Chi (Last Wish) and Golgoroth (King's Fall) cheeses look like cheats. */
export const INCOMPLETE_EXCLUDED_ACTIVITY_IDS: ReadonlySet<number> = new Set([4, 11])

// The bubble push-off glitch spread around 2026-06-14 and was patched at the 2026-06-23 reset:
// it made lowman checkpoint clears (and Desert Perpetual fresh ones) trivially possible.
const bubblePushOff: DateWindow = { name: "bubble push-off", start: utc("2026-06-14T00:00:00"), end: utc("2026-06-23T17:00:00") }

export const LOWMAN_EXEMPTIONS: readonly LowmanExemption[] = [
  // Morgeth Surpassing can be finished by knocking him off (like Crota's checkpoint): any team size.
  { name: "Morgeth knock-off", activityId: 102, versionId: 133, runs: "any", window: null },
  { name: bubblePushOff.name, activityId: 15, versionId: null, runs: "any", window: bubblePushOff },
  { name: bubblePushOff.name, activityId: 7, versionId: null, runs: "checkpoint", window: bubblePushOff },
  { name: bubblePushOff.name, activityId: 9, versionId: null, runs: "checkpoint", window: bubblePushOff },
  { name: bubblePushOff.name, activityId: 10, versionId: null, runs: "checkpoint", window: bubblePushOff },
  { name: bubblePushOff.name, activityId: 12, versionId: null, runs: "checkpoint", window: bubblePushOff },
  { name: bubblePushOff.name, activityId: 102, versionId: 134, runs: "any", window: bubblePushOff },
]

/** Whether a run [started, completed] overlaps the window (touching an edge does not count). */
export function overlapsWindow(window: DateWindow, started: Date, completed: Date): boolean {
  return completed.getTime() > window.start.getTime() && started.getTime() < window.end.getTime()
}

/** Whether a moment lies strictly inside the window. */
export function isInsideWindow(window: DateWindow, at: Date): boolean {
  const t = at.getTime()
  return t > window.start.getTime() && t < window.end.getTime()
}

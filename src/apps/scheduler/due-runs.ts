/**
 * Which jobs are due at a moment, pure: from each job's next fire time and the clock. A job that
 * is due runs once for its newest slot at or before now; older slots that passed meanwhile (the
 * process was suspended, the clock jumped) are reported as missed, never run in a burst.
 */
import type { ScheduleEntry } from "./schedule-file.ts"

export interface DueRun {
  entry: ScheduleEntry
  /** The fire time this run stands for (its identity across schedulers). */
  slot: Date
  /** Earlier slots that passed without a run. */
  missed: number
}

/** Bound on the slots walked for one job in one call (a long suspension counts at most this many). */
const MAX_WALK = 10_000

/** Returns the due runs and advances `nextDue` (job name → next fire time) past `now`. */
export function collectDueRuns(entries: readonly ScheduleEntry[], nextDue: Map<string, Date | null>, now: Date): DueRun[] {
  const due: DueRun[] = []
  for (const entry of entries) {
    if (!nextDue.has(entry.name)) nextDue.set(entry.name, entry.next(now))
    const first = nextDue.get(entry.name)
    if (first === null || first === undefined || first.getTime() > now.getTime()) continue
    let slot = first
    let missed = 0
    for (let i = 0; i < MAX_WALK; i++) {
      const following = entry.next(slot)
      if (following === null || following.getTime() > now.getTime()) break
      slot = following
      missed++
    }
    due.push({ entry, slot, missed })
    nextDue.set(entry.name, entry.next(now))
  }
  return due
}

/** Milliseconds until the earliest next fire time (null when nothing will ever fire). */
export function msUntilNext(nextDue: ReadonlyMap<string, Date | null>, now: Date): number | null {
  let best: number | null = null
  for (const next of nextDue.values()) {
    if (next === null) continue
    const ms = Math.max(0, next.getTime() - now.getTime())
    if (best === null || ms < best) best = ms
  }
  return best
}

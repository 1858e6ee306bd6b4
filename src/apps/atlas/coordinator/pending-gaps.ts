/**
 * Suspected dead blocks held until their evidence stands (gap-evidence.ts), and what a restart
 * makes of the stored resume state: the ids to hand back to the fetchers, and the pending gaps
 * to keep holding. Pure.
 */
import type { ResumeState } from "./resume-state.ts"

export interface PendingGap {
  from: bigint
  /** Exclusive: the first id seen past the block. */
  to: bigint
  /** Latest time the id at `to` can have been created (epoch ms). */
  evidenceAt: number
  /** When to search the block again. */
  dueAt: number
}

/** Late-publication window the restored gaps wait out from their evidence time. */
export function pendingGapsOf(state: ResumeState, lateWindowMs: number): PendingGap[] {
  const gaps: PendingGap[] = []
  let previousPending = false
  for (const run of state.unresolved) {
    const last = gaps[gaps.length - 1]
    // Consecutive pending runs were one block (ids inside it resolved before it was held split it).
    if (run.pendingGap && previousPending && last) {
      last.to = run.to
      last.evidenceAt = Math.max(last.evidenceAt, run.since)
      last.dueAt = last.evidenceAt + lateWindowMs
    } else if (run.pendingGap) {
      gaps.push({ from: run.from, to: run.to, evidenceAt: run.since, dueAt: run.since + lateWindowMs })
    }
    previousPending = run.pendingGap
  }
  return gaps
}

/** Every unresolved id outside pending gaps, with the time it has been waiting since. */
export function restoredIds(state: ResumeState): { ids: BigInt64Array; since: Float64Array } {
  let n = 0
  for (const run of state.unresolved) if (!run.pendingGap) n += Number(run.to - run.from)
  const ids = new BigInt64Array(n)
  const since = new Float64Array(n)
  let i = 0
  for (const run of state.unresolved) {
    if (run.pendingGap) continue
    for (let id = run.from; id < run.to; id++, i++) {
      ids[i] = id
      since[i] = run.since
    }
  }
  return { ids, since }
}

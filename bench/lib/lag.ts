/**
 * Publication → stored lag from the simulator's truth and the stored rows (pure, unit-tested).
 * An id published inside the measurement window but not stored by the end counts with the lag
 * it had when the run stopped (a lower bound), so a slow tail is never hidden.
 */
import { type Distribution, summarize } from "./stats.ts"

export interface PublishedId {
  id: string
  publishedAt: number
  /** Its first published version lacked entries until then (the crawler must fetch it again). */
  incompleteUntil: number | null
}

export interface LagReport {
  /** Ids published in the window. */
  published: number
  stored: number
  unstored: number
  lagSeconds: Distribution
  /** The same without ids whose first published version was incomplete. */
  lagCompleteSeconds: Distribution
  /**
   * Every id, from when its complete version appeared (publication, or the end of an incomplete
   * first version): what the crawler itself adds, since nothing complete can be stored earlier.
   */
  lagFromCompleteSeconds: Distribution
}

export function computePublicationLag(
  ids: readonly PublishedId[],
  storedAt: ReadonlyMap<string, number>,
  window: { from: number; to: number },
  stoppedAt: number,
): LagReport {
  const all: number[] = []
  const complete: number[] = []
  const fromComplete: number[] = []
  let stored = 0
  for (const t of ids) {
    if (t.publishedAt < window.from || t.publishedAt >= window.to) continue
    const at = storedAt.get(t.id)
    if (at !== undefined) stored++
    const lag = Math.max(0, ((at ?? stoppedAt) - t.publishedAt) / 1000)
    all.push(lag)
    if (t.incompleteUntil === null || t.incompleteUntil <= t.publishedAt) complete.push(lag)
    const completeAt = t.incompleteUntil === null ? t.publishedAt : Math.max(t.publishedAt, t.incompleteUntil)
    fromComplete.push(Math.max(0, ((at ?? stoppedAt) - completeAt) / 1000))
  }
  return {
    published: all.length,
    stored,
    unstored: all.length - stored,
    lagSeconds: summarize(all),
    lagCompleteSeconds: summarize(complete),
    lagFromCompleteSeconds: summarize(fromComplete),
  }
}

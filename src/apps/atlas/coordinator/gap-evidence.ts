/**
 * When may a forward search's result be recorded as a gap (crawl.gap_range, never fetched again)?
 * Only on evidence that stands: the ids past the range are older than the late-publication window
 * (Bungie publishes a late clump minutes after the ids around it, the simulator up to ~10 min; the
 * window, default 15 min, lies beyond both), and the range was probed empty after that. A search
 * at the live head sees none of that: the id past a "dead" block was created seconds ago, and
 * the ids inside may simply be a clump published a minute later. Recording them then loses them
 * silently (an id published 2.4 s before its "gap" was written, issue 13).
 *
 * How old is the first id past the range? It was created no later than we saw it exist, and no
 * later than its activity ended plus the creation delay (the PGCR's completion time, 0-40 s
 * before the id exists in the simulator). The earlier of the two bounds its creation; an id
 * inside the range, created before it, would be published within the window of that.
 *
 * Verdicts: record now (the search's own probes ran after the window: a backfill deep in
 * history); leave the ids to the fetchers as holes, which end stored or in the missed ledger
 * (a small range: a few requests each); or hold the range pending, unfetched and unresolved (the
 * low-water mark waits, the checkpoint keeps it), and search it again once the window has passed.
 *
 * Pure: the caller supplies the clock readings.
 */

export interface GapEvidenceOptions {
  /** Longest a PGCR is published after the ids created around it (ATLAS_LATE_PUBLICATION_WINDOW_S). */
  lateWindowMs: number
  /** Ids from a PGCR's completion to its id's creation, at most. */
  creationDelayMs: number
  /** Ranges up to this many ids are left to the fetchers as holes rather than held pending. */
  holeRangeMax: bigint
}

export const DEFAULT_GAP_EVIDENCE: Readonly<GapEvidenceOptions> = Object.freeze({
  lateWindowMs: 15 * 60_000,
  creationDelayMs: 60_000,
  holeRangeMax: 500n,
})

export interface GapCandidate {
  from: bigint
  /** Exclusive: the first id found past the range. */
  to: bigint
  /** When the search started probing the range (epoch ms). */
  searchedAt: number
  /** When `to` was seen to exist (epoch ms). */
  seenAt: number
  /** The PGCR's completion time at `to` (epoch ms), null when unknown. */
  completedAt: number | null
}

export type GapVerdict =
  | { action: "record" }
  | { action: "holes" }
  /** Search [from, to) again at dueAt; `evidenceAt` is what a restart stores for it. */
  | { action: "pending"; evidenceAt: number; dueAt: number }

/** Latest time the first id past the range can have been created. */
export function evidenceTime(c: Pick<GapCandidate, "seenAt" | "completedAt">, o: GapEvidenceOptions = DEFAULT_GAP_EVIDENCE): number {
  if (c.completedAt === null || !Number.isFinite(c.completedAt)) return c.seenAt
  return Math.min(c.seenAt, c.completedAt + o.creationDelayMs)
}

export function judgeGap(c: GapCandidate, o: GapEvidenceOptions = DEFAULT_GAP_EVIDENCE): GapVerdict {
  const evidenceAt = evidenceTime(c, o)
  if (c.searchedAt - evidenceAt >= o.lateWindowMs) return { action: "record" }
  if (c.to - c.from <= o.holeRangeMax) return { action: "holes" }
  return { action: "pending", evidenceAt, dueAt: evidenceAt + o.lateWindowMs }
}

/** A pending range searched again at `searchedAt` found its first existing id at `firstExisting`. */
export function judgeRecheck(
  pending: { from: bigint; to: bigint; evidenceAt: number },
  searchedAt: number,
  firstExisting: bigint | null,
  o: GapEvidenceOptions = DEFAULT_GAP_EVIDENCE,
): "record" | "holes" | "wait" {
  if (searchedAt - pending.evidenceAt < o.lateWindowMs) return "wait"
  // Only the same end proves the range empty; an id inside it (a clump published late after all)
  // or none at all (the end answered 404 this time: an outage, a withdrawn PGCR) gives the ids
  // back to the fetchers, whose 404s end in the missed ledger.
  return firstExisting === pending.to ? "record" : "holes"
}

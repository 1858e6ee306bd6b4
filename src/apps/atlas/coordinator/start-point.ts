/**
 * Where a crawl starts: a bounded backfill resumes inside its range; otherwise --from, else the
 * stored checkpoint, else a little behind the newest stored raid, else (empty database) a little
 * behind the frontier found by searching the PGCR endpoint. Resuming from a checkpoint with a
 * resume state, the crawl starts at the low-water mark but claims from the high-water mark: only
 * the ids the state lists as unresolved are fetched again.
 */
import type { Sql } from "../../../lib/database/postgres.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import { loadCheckpoint, loadNewestStoredInstance } from "./checkpoint.ts"
import { type ProbeOutcome, searchFrontier } from "./frontier-search.ts"
import type { ResumeState } from "./resume-state.ts"

export interface StartPointOptions {
  sql: Sql
  crawler: string
  from: bigint | null
  to: bigint | null
  /** Probe one id on the PGCR endpoint (through the limiter). */
  probe: (id: bigint) => Promise<ProbeOutcome>
  /** An id believed to exist, to start the frontier search from. */
  frontierHint: bigint | null
  /** How far behind the frontier an empty database starts (ids). */
  behindFrontier: bigint
  /** How far behind the newest stored instance a database without checkpoint starts (the original: 10,000). */
  behindStored: bigint
  log: Logger
}

export interface StartPoint {
  start: bigint
  source: "range" | "checkpoint" | "from" | "stored" | "frontierSearch"
  /** Newest existing id the search found (seeds the frontier estimate), if a search ran. */
  frontier: bigint | null
  /** What the previous run left unresolved above `start` (null: refetch everything from `start`). */
  resume: ResumeState | null
}

export async function findStartPoint(o: StartPointOptions): Promise<StartPoint> {
  const checkpoint = await loadCheckpoint(o.sql, o.crawler)
  if (o.to !== null && o.from !== null) {
    if (checkpoint && checkpoint.lowWater >= o.from) {
      return { start: checkpoint.lowWater, source: "checkpoint", frontier: null, resume: checkpoint.resume }
    }
    return { start: o.from, source: "range", frontier: null, resume: null }
  }
  if (o.from !== null) return { start: o.from, source: "from", frontier: null, resume: null }
  if (checkpoint) return { start: checkpoint.lowWater, source: "checkpoint", frontier: checkpoint.frontier, resume: checkpoint.resume }
  const stored = await loadNewestStoredInstance(o.sql)
  if (stored !== null)
    return { start: stored > o.behindStored ? stored - o.behindStored : 1n, source: "stored", frontier: null, resume: null }
  const found = await searchFrontier({ probe: o.probe, hint: o.frontierHint })
  o.log.info("atlas.frontier_search", { newest: found.newest, probes: found.probes })
  if (found.newest === null) throw new Error(`frontier search found no existing PGCR within ${found.probes} probes; pass --from <id>`)
  const start = found.newest > o.behindFrontier ? found.newest - o.behindFrontier : 1n
  return { start, source: "frontierSearch", frontier: found.newest, resume: null }
}

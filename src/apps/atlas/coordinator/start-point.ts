/**
 * Where a crawl starts: a bounded backfill resumes inside its range; otherwise --from, else the
 * stored low-water mark, else a little behind the newest stored raid, else (empty database) a
 * little behind the frontier found by searching the PGCR endpoint.
 */
import type { Sql } from "../../../lib/database/postgres.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import { loadCheckpoint, loadNewestStoredInstance } from "./checkpoint.ts"
import { type ProbeOutcome, searchFrontier } from "./frontier-search.ts"

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
}

export async function findStartPoint(o: StartPointOptions): Promise<StartPoint> {
  const checkpoint = await loadCheckpoint(o.sql, o.crawler)
  if (o.to !== null && o.from !== null) {
    const resume = checkpoint && checkpoint.lowWater > o.from ? checkpoint.lowWater : o.from
    return { start: resume, source: checkpoint ? "checkpoint" : "range", frontier: null }
  }
  if (o.from !== null) return { start: o.from, source: "from", frontier: null }
  if (checkpoint) return { start: checkpoint.lowWater, source: "checkpoint", frontier: checkpoint.frontier }
  const stored = await loadNewestStoredInstance(o.sql)
  if (stored !== null) return { start: stored > o.behindStored ? stored - o.behindStored : 1n, source: "stored", frontier: null }
  const found = await searchFrontier({ probe: o.probe, hint: o.frontierHint })
  o.log.info("atlas.frontier_search", { newest: found.newest, probes: found.probes })
  if (found.newest === null) throw new Error(`frontier search found no existing PGCR within ${found.probes} probes; pass --from <id>`)
  const start = found.newest > o.behindFrontier ? found.newest - o.behindFrontier : 1n
  return { start, source: "frontierSearch", frontier: found.newest }
}

/**
 * The crawl checkpoint: crawl.crawler_state holds the low-water mark per crawler (every id below
 * it resolved). A restart resumes there; ids between the low-water mark and the old cursor are
 * fetched again, which is harmless because storage is idempotent on instance id and ledger
 * writes are upserts.
 */
import type { Sql } from "../../../lib/database/postgres.ts"

export interface Checkpoint {
  lowWater: bigint
  highWater: bigint | null
  frontier: bigint | null
}

export async function loadCheckpoint(sql: Sql, crawler: string): Promise<Checkpoint | null> {
  const rows = await sql<{ low_water_mark: bigint; high_water_mark: bigint | null; frontier_estimate: bigint | null }[]>`
    SELECT low_water_mark, high_water_mark, frontier_estimate FROM crawl.crawler_state WHERE crawler = ${crawler}`
  const row = rows[0]
  if (!row) return null
  return {
    lowWater: BigInt(row.low_water_mark),
    highWater: row.high_water_mark === null ? null : BigInt(row.high_water_mark),
    frontier: row.frontier_estimate === null ? null : BigInt(row.frontier_estimate),
  }
}

/**
 * Upserts the checkpoint. The mark never moves backwards here: two coordinators racing (a
 * mistake, but possible during a deploy) must not undo each other's progress.
 */
export async function saveCheckpoint(sql: Sql, crawler: string, checkpoint: Checkpoint): Promise<void> {
  const high = checkpoint.highWater !== null && checkpoint.highWater > checkpoint.lowWater ? checkpoint.highWater : checkpoint.lowWater
  await sql`
    INSERT INTO crawl.crawler_state (crawler, low_water_mark, high_water_mark, frontier_estimate, frontier_estimated_at, updated_at)
    VALUES (${crawler}, ${checkpoint.lowWater.toString()}, ${high.toString()}, ${checkpoint.frontier?.toString() ?? null},
            ${checkpoint.frontier === null ? null : new Date()}, now())
    ON CONFLICT (crawler) DO UPDATE SET
      low_water_mark = GREATEST(crawl.crawler_state.low_water_mark, EXCLUDED.low_water_mark),
      high_water_mark = GREATEST(crawl.crawler_state.low_water_mark, EXCLUDED.low_water_mark, EXCLUDED.high_water_mark),
      frontier_estimate = COALESCE(EXCLUDED.frontier_estimate, crawl.crawler_state.frontier_estimate),
      frontier_estimated_at = COALESCE(EXCLUDED.frontier_estimated_at, crawl.crawler_state.frontier_estimated_at),
      updated_at = now()`
}

/** Newest stored raid id below the manual-reconstruction range (the original's fallback start). */
export async function loadNewestStoredInstance(sql: Sql): Promise<bigint | null> {
  const rows = await sql<{ max: bigint | null }[]>`SELECT max(instance_id) AS max FROM core.instance WHERE instance_id < 100000000000`
  const max = rows[0]?.max
  return max === null || max === undefined ? null : BigInt(max)
}

/**
 * A bounded backfill (--from/--to) keeps its own checkpoint row so it never disturbs the
 * frontier crawler's mark, and a rerun of the same range resumes where it stopped.
 */
export function nameBoundedCrawler(base: string, from: bigint, to: bigint): string {
  return `${base}:${from}-${to}`
}

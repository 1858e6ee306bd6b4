/**
 * The crawl checkpoint: crawl.crawler_state holds, per crawler, the low-water mark (every id below
 * it resolved), the high-water mark (claiming resumes there) and the resume state: which ids in
 * between are not resolved yet, and since when (resume-state.ts). A restart fetches only those.
 * Rows without a readable resume state fall back to refetching from the low-water mark, which is
 * harmless (storage is idempotent on instance id, ledger writes are upserts), only slower.
 */
import type { Sql } from "../../../lib/database/postgres.ts"
import { decodeResumeRuns, encodeResumeRuns, type ResumeState } from "./resume-state.ts"

export interface Checkpoint {
  lowWater: bigint
  highWater: bigint | null
  frontier: bigint | null
  /** null: unknown (an old row, or unreadable): resume from the low-water mark. */
  resume: ResumeState | null
}

export async function loadCheckpoint(sql: Sql, crawler: string): Promise<Checkpoint | null> {
  const rows = await sql<
    { low_water_mark: bigint; high_water_mark: bigint | null; frontier_estimate: bigint | null; resume_state: Uint8Array | null }[]
  >`SELECT low_water_mark, high_water_mark, frontier_estimate, resume_state FROM crawl.crawler_state WHERE crawler = ${crawler}`
  const row = rows[0]
  if (!row) return null
  const lowWater = BigInt(row.low_water_mark)
  const highWater = row.high_water_mark === null ? null : BigInt(row.high_water_mark)
  let resume: ResumeState | null = null
  if (row.resume_state !== null && highWater !== null) {
    try {
      resume = decodeResumeRuns(new Uint8Array(row.resume_state), lowWater, highWater)
    } catch {
      // Unreadable (a newer format, a damaged row): the old behaviour is safe.
      resume = null
    }
  }
  return { lowWater, highWater, frontier: row.frontier_estimate === null ? null : BigInt(row.frontier_estimate), resume }
}

/**
 * Upserts the checkpoint. It never moves the low-water mark backwards: of two coordinators racing
 * (a mistake, but possible during a deploy), the one behind does not overwrite the other's row.
 * Without a resume state the high-water mark only grows and any stored state is dropped (it would
 * no longer match the marks).
 */
export async function saveCheckpoint(sql: Sql, crawler: string, checkpoint: Checkpoint, savedAt: number = Date.now()): Promise<void> {
  const resume = checkpoint.resume
  const high = resume
    ? resume.highWater
    : checkpoint.highWater !== null && checkpoint.highWater > checkpoint.lowWater
      ? checkpoint.highWater
      : checkpoint.lowWater
  const bytes = resume ? encodeResumeRuns(resume, savedAt) : null
  await sql`
    INSERT INTO crawl.crawler_state (crawler, low_water_mark, high_water_mark, frontier_estimate, frontier_estimated_at, resume_state, updated_at)
    VALUES (${crawler}, ${checkpoint.lowWater.toString()}, ${high.toString()}, ${checkpoint.frontier?.toString() ?? null},
            ${checkpoint.frontier === null ? null : new Date()}, ${bytes}, now())
    ON CONFLICT (crawler) DO UPDATE SET
      low_water_mark = EXCLUDED.low_water_mark,
      high_water_mark = CASE WHEN EXCLUDED.resume_state IS NULL
        THEN GREATEST(crawl.crawler_state.high_water_mark, EXCLUDED.high_water_mark) ELSE EXCLUDED.high_water_mark END,
      resume_state = EXCLUDED.resume_state,
      frontier_estimate = COALESCE(EXCLUDED.frontier_estimate, crawl.crawler_state.frontier_estimate),
      frontier_estimated_at = COALESCE(EXCLUDED.frontier_estimated_at, crawl.crawler_state.frontier_estimated_at),
      updated_at = now()
    WHERE crawl.crawler_state.low_water_mark <= EXCLUDED.low_water_mark`
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

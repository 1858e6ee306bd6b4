/**
 * Writes the missed ledger and gap ranges. Upserts keyed on instance id, so a refetch after a
 * restart updates the row instead of doubling it; an id that is later stored as a raid flips its
 * ledger row to resolved.
 */
import type { AnyTx } from "../../../lib/database/sql-types.ts"
import type { MissedItem } from "../shared/messages.ts"

/** Ledger writes always run inside the writer's batch transaction. */
type Tx = AnyTx

function stateOf(item: MissedItem): "pending" | "blocked" | "lost" {
  if (item.nextRetryAt === null) return "lost"
  return item.reason === "blocked" ? "blocked" : "pending"
}

export async function upsertMissed(sql: Tx, crawler: string, items: readonly MissedItem[]): Promise<void> {
  if (items.length === 0) return
  // Last write wins inside one statement: ON CONFLICT cannot touch the same row twice.
  const byId = new Map<string, MissedItem>()
  for (const item of items) byId.set(item.id, item)
  const rows = [...byId.values()].map((item) => ({
    instance_id: item.id,
    crawler,
    attempts: item.attempts,
    last_result: item.reason,
    last_http_status: item.httpStatus,
    last_error_code: item.errorCode,
    last_reason: item.lastResult,
    next_retry_at: item.nextRetryAt === null ? null : new Date(item.nextRetryAt),
    state: stateOf(item),
  }))
  const run = sql
  await run`
    INSERT INTO crawl.missed_pgcr ${run(rows, "instance_id", "crawler", "attempts", "last_result", "last_http_status", "last_error_code", "last_reason", "next_retry_at", "state")}
    ON CONFLICT (instance_id) DO UPDATE SET
      crawler = EXCLUDED.crawler,
      attempts = crawl.missed_pgcr.attempts + EXCLUDED.attempts,
      last_result = EXCLUDED.last_result,
      last_http_status = EXCLUDED.last_http_status,
      last_error_code = EXCLUDED.last_error_code,
      last_reason = EXCLUDED.last_reason,
      next_retry_at = EXCLUDED.next_retry_at,
      state = EXCLUDED.state,
      resolution = NULL,
      resolved_at = NULL,
      updated_at = now()
    WHERE crawl.missed_pgcr.state <> 'resolved'`
}

/** Marks ledger rows of ids that were stored after all as resolved. */
export async function resolveMissed(sql: Tx, ids: readonly string[], resolution: "raid" | "nonRaid"): Promise<void> {
  if (ids.length === 0) return
  const run = sql
  await run`
    UPDATE crawl.missed_pgcr SET state = 'resolved', resolution = ${resolution}, resolved_at = now(), updated_at = now()
    WHERE instance_id = ANY(${ids}::bigint[]) AND state <> 'resolved'`
}

/** Records [from, to) as a gap range; a range already recorded for this crawler is not doubled. */
export async function insertGap(sql: Tx, crawler: string, from: bigint, to: bigint, reason: string): Promise<void> {
  const run = sql
  await run`
    INSERT INTO crawl.gap_range (crawler, start_id, end_id, reason)
    SELECT ${crawler}, ${from.toString()}, ${to.toString()}, ${reason}
    WHERE NOT EXISTS (
      SELECT 1 FROM crawl.gap_range WHERE crawler = ${crawler} AND start_id = ${from.toString()} AND end_id = ${to.toString()})`
}

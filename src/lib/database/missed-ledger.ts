/**
 * The missed-PGCR ledger (crawl.missed_pgcr), shared by every writer of it: atlas's pg-writer,
 * the pgcr_exists and pgcr_blocked workers, and the broker-less relay of withheld PGCRs. Upserts
 * are keyed on the instance id, so a refetch after a restart updates the row instead of doubling
 * it; an id that is later stored (or found to be a non-raid) flips its row to resolved.
 */
import type { AnyTx } from "./sql-types.ts"

/** One ledger write. `reason` is the result kind (notFound, blocked, badFormat, storeFailed, …). */
export interface LedgerEntry {
  id: string
  reason: string
  /** Last result from the client (e.g. "notFound", "transient: 502"), kept for operators. */
  lastResult: string
  httpStatus: number | null
  errorCode: number | null
  attempts: number
  /** Epoch ms when a replayer may try again; null = terminal (state lost). */
  nextRetryAt: number | null
}

export type LedgerState = "pending" | "blocked" | "lost"

export function ledgerStateOf(entry: Pick<LedgerEntry, "reason" | "nextRetryAt">): LedgerState {
  if (entry.nextRetryAt === null) return "lost"
  return entry.reason === "blocked" ? "blocked" : "pending"
}

/** Upserts ledger rows in the caller's transaction (resolved rows stay resolved). */
export async function upsertMissedLedger(tx: AnyTx, crawler: string, entries: readonly LedgerEntry[]): Promise<void> {
  if (entries.length === 0) return
  // Last write wins inside one statement: ON CONFLICT cannot touch the same row twice.
  const byId = new Map<string, LedgerEntry>()
  for (const entry of entries) byId.set(entry.id, entry)
  const rows = [...byId.values()].map((entry) => ({
    instance_id: entry.id,
    crawler,
    attempts: entry.attempts,
    last_result: entry.reason,
    last_http_status: entry.httpStatus,
    last_error_code: entry.errorCode,
    last_reason: entry.lastResult,
    next_retry_at: entry.nextRetryAt === null ? null : new Date(entry.nextRetryAt),
    state: ledgerStateOf(entry),
  }))
  await tx`
    INSERT INTO crawl.missed_pgcr ${tx(rows, "instance_id", "crawler", "attempts", "last_result", "last_http_status", "last_error_code", "last_reason", "next_retry_at", "state")}
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

/** Marks ledger rows of ids that were fetched after all as resolved. */
export async function resolveMissedLedger(tx: AnyTx, ids: readonly string[], resolution: "raid" | "nonRaid"): Promise<void> {
  if (ids.length === 0) return
  await tx`
    UPDATE crawl.missed_pgcr SET state = 'resolved', resolution = ${resolution}, resolved_at = now(), updated_at = now()
    WHERE instance_id = ANY(${ids}::bigint[]) AND state <> 'resolved'`
}

/**
 * The lookup and ledger side of a PGCR worker (raids themselves are stored through
 * store-batcher.ts): is an instance stored already, and the other endings of a PGCR recorded in
 * the missed ledger.
 */
import { type LedgerEntry, resolveMissedLedger, upsertMissedLedger } from "../../lib/database/missed-ledger.ts"
import type { AnySql } from "../../lib/database/sql-types.ts"

/** True when the instance is already stored (nothing to fetch). */
export async function isStored(sql: AnySql, id: bigint): Promise<boolean> {
  const rows = await sql`select 1 from core.instance where instance_id = ${id.toString()}::bigint`
  return rows.length > 0
}

export async function recordLedger(sql: AnySql, crawler: string, entry: LedgerEntry): Promise<void> {
  await sql.begin((tx) => upsertMissedLedger(tx, crawler, [entry]))
}

export async function resolveLedger(sql: AnySql, id: bigint, resolution: "raid" | "nonRaid"): Promise<void> {
  await sql.begin((tx) => resolveMissedLedger(tx, [id.toString()], resolution))
}

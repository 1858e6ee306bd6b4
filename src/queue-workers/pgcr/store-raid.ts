/**
 * Stores one raid for a queue worker through the same store as atlas (one transaction: the
 * instance, its aggregates and outbox side effects, and the missed ledger row, if any, resolved),
 * and records the other endings of a PGCR worker in the ledger.
 */
import { type StoreItem, storeInTransaction } from "../../lib/database/instance-store.ts"
import { type LedgerEntry, resolveMissedLedger, upsertMissedLedger } from "../../lib/database/missed-ledger.ts"
import type { AnySql } from "../../lib/database/sql-types.ts"
import { lockInstanceStore } from "../../lib/database/store-lock.ts"

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

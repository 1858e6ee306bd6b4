/**
 * Writes the missed ledger and gap ranges. Upserts keyed on instance id, so a refetch after a
 * restart updates the row instead of doubling it; an id that is later stored as a raid flips its
 * ledger row to resolved.
 */
import { resolveMissedLedger, upsertMissedLedger } from "../../../lib/database/missed-ledger.ts"
import type { AnyTx } from "../../../lib/database/sql-types.ts"
import type { MissedItem } from "../shared/messages.ts"

/** Ledger writes always run inside the writer's batch transaction. */
type Tx = AnyTx

/** The ledger itself is shared with the queue workers (lib/database/missed-ledger.ts). */
export async function upsertMissed(sql: Tx, crawler: string, items: readonly MissedItem[]): Promise<void> {
  await upsertMissedLedger(sql, crawler, items)
}

/** Marks ledger rows of ids that were stored after all as resolved. */
export async function resolveMissed(sql: Tx, ids: readonly string[], resolution: "raid" | "nonRaid"): Promise<void> {
  await resolveMissedLedger(sql, ids, resolution)
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

/**
 * Serialises every writer of instances and aggregates (the Atlas pg-writer, replay tools,
 * replaceInstance, recomputePlayerAggregates) with one transaction-scoped advisory lock. The
 * incremental first-clear / sherpa logic reads the stored first clears and then moves them; two
 * such transactions interleaving could both see "no first clear yet". Atlas runs one pg-writer,
 * so the lock is uncontended in normal operation; a concurrent tool simply waits its turn.
 */
import type { AnyTx } from "./sql-types.ts"

export const INSTANCE_STORE_LOCK_KEY = "raidhub:instance-store"

/** Takes the store lock until the end of the transaction. */
export async function lockInstanceStore(tx: AnyTx): Promise<void> {
  await tx.unsafe("select pg_advisory_xact_lock(hashtext($1))", [INSTANCE_STORE_LOCK_KEY])
}

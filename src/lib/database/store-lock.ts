/**
 * Locking of the instance writers, so several processes (a fleet of atlas pg-writers, hermes's
 * pgcr store) write in parallel while every aggregate stays exact, without deadlocks.
 *
 * What must not interleave: the first-clear / sherpa logic (first-clears.ts) reads a player's
 * stored first clears and moves them, and recomputes the sherpas of the instances that lost one,
 * which changes those instances' other participants' totals. Every row a store transaction
 * changes belongs to a player of its batch or to a participant of such an instance.
 *
 * The protocol (instance-store.ts):
 *   1. a writer takes the store lock SHARED (lockInstanceStoreShared);
 *   2. with its batch staged, it takes a lock per participant, blocking, in ascending key order
 *      (lockBatchPlayers): two batches sharing a player run one after the other; batches without
 *      a common player run in parallel; the fixed order rules out a cycle;
 *   3. having found which stored first clears its batch replaces, it TRIES the locks of those
 *      instances' other participants (lockLostFirstClearPlayers). It never waits there (waiting
 *      out of order could deadlock): when one is held, StoreLockBusy rolls the transaction back
 *      and withInstanceStoreLock runs it again under the EXCLUSIVE store lock, alone.
 * So every row a transaction changes is covered by a player lock it holds, no row lock is ever
 * waited for across two writers (whatever they share, they share a player lock first), and
 * waits go only to locks later in the order. The exclusive lock (lockInstanceStore) is also what
 * tools take (replaceInstance, recomputePlayerAggregates, replays, fixes): they run alone.
 *
 * Player locks are two-key advisory locks (namespace, hashtext(membership id)): a hash collision
 * only makes two batches wait for each other.
 */
import type { AnySql, AnyTx } from "./sql-types.ts"

export const INSTANCE_STORE_LOCK_KEY = "raidhub:instance-store"
/** First key of the per-player advisory locks ("RH" + 1). */
export const PLAYER_LOCK_NAMESPACE = 0x52480001

/** Process-wide counts of store transactions by path (tests, metrics). */
export const storeLockCounters = { shared: 0, busyRetries: 0 }

/** A player lock of step 3 was held by another writer: run the transaction again alone. */
export class StoreLockBusy extends Error {
  constructor(players: number) {
    super(`store lock: ${players} player lock(s) of instances losing a first clear are held by another writer`)
    this.name = "StoreLockBusy"
  }
}

/** Takes the store lock exclusively until the end of the transaction: this writer runs alone. */
export async function lockInstanceStore(tx: AnyTx): Promise<void> {
  await tx.unsafe("select pg_advisory_xact_lock(hashtext($1))", [INSTANCE_STORE_LOCK_KEY])
}

/** Takes the store lock shared: other batch writers run in parallel, tools wait. */
export async function lockInstanceStoreShared(tx: AnyTx): Promise<void> {
  await tx.unsafe("select pg_advisory_xact_lock_shared(hashtext($1))", [INSTANCE_STORE_LOCK_KEY])
}

/** Step 2: every participant of the staged batch (rh_stg1_player), in ascending key order. */
export async function lockBatchPlayers(tx: AnyTx): Promise<void> {
  await tx.unsafe(
    `select count(pg_advisory_xact_lock($1, k))::int from (
       select distinct hashtext(membership_id::text) as k from rh_stg1_player order by k) keys`,
    [PLAYER_LOCK_NAMESPACE],
  )
}

/**
 * Step 3: the other participants of the stored instances that lose a first clear to the batch
 * (rh_stg1_first_clear_move), tried without waiting; throws StoreLockBusy when one is held.
 */
export async function lockLostFirstClearPlayers(tx: AnyTx): Promise<void> {
  const [row] = await tx.unsafe<{ wanted: number; got: number }[]>(
    `select count(*)::int as wanted, count(*) filter (where pg_try_advisory_xact_lock($1, k))::int as got from (
       select distinct hashtext(ip.membership_id::text) as k
       from core.instance_player ip
       where ip.instance_id in (select old_instance_id from rh_stg1_first_clear_move where old_instance_id is not null)
       except
       select hashtext(membership_id::text) from rh_stg1_player
       order by k) keys`,
    [PLAYER_LOCK_NAMESPACE],
  )
  if (row && row.got < row.wanted) throw new StoreLockBusy(row.wanted - row.got)
}

/**
 * Runs a store transaction under the protocol: first with the shared lock, and once more with the
 * exclusive lock if StoreLockBusy rolled it back. `body` must do all its work inside `tx` (it may
 * run twice; the first run left nothing behind).
 */
export async function withInstanceStoreLock<T>(sql: AnySql, body: (tx: AnyTx) => Promise<T>): Promise<T> {
  try {
    storeLockCounters.shared++
    return (await sql.begin(async (tx) => {
      await lockInstanceStoreShared(tx as AnyTx)
      return await body(tx as AnyTx)
    })) as T
  } catch (error) {
    if (!(error instanceof StoreLockBusy)) throw error
    storeLockCounters.busyRetries++
    return (await sql.begin(async (tx) => {
      await lockInstanceStore(tx as AnyTx)
      return await body(tx as AnyTx)
    })) as T
  }
}

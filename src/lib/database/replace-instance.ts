/**
 * Re-processing of a stored instance (e.g. a malformed PGCR fixed later). Unlike the original's
 * ReplacePGCR, which re-stored on top of the old aggregates and double counted, this deletes the
 * instance's rows, recomputes its former players' aggregates from what remains (first clears and
 * sherpas included, so other participants are corrected too), then stores the new version
 * through the normal batch path — all in one locked transaction. The result equals a database
 * that never saw the old version, except for the monotonic first_seen / last_seen / profile.
 */
import { storeInTransaction } from "./instance-store.ts"
import { declareStaging } from "./instance-store-staging.ts"
import type { StoreItem, StoreReport } from "./instance-store-types.ts"
import { recomputeInTransaction } from "./player-aggregates.ts"
import type { AnySql, AnyTx } from "./sql-types.ts"
import { lockInstanceStore } from "./store-lock.ts"

export interface ReplaceReport extends StoreReport {
  /** True when an older version existed and was removed first. */
  replaced: boolean
}

/** Replaces (or stores, when absent) one instance; see the module comment. */
export async function replaceInstance(sql: AnySql, item: StoreItem): Promise<ReplaceReport> {
  const started = performance.now()
  const report = await sql.begin(async (tx) => {
    await lockInstanceStore(tx)
    await declareStaging(tx)
    const id = item.instance.instanceId
    const blacklist = await takeBlacklist(tx, id)
    const formerPlayers = await deleteInstance(tx, id)
    if (formerPlayers !== null) await recomputeInTransaction(tx, formerPlayers, { writeOutbox: false })
    const stored = await storeInTransaction(tx, [item])
    await restoreBlacklist(tx, blacklist)
    return { ...stored, replaced: formerPlayers !== null }
  })
  report.durationMs = performance.now() - started
  return report
}

// JSON text, never parsed in JS: bigint columns must not pass through a JS number.
interface BlacklistSnapshot {
  instance: string | null
  players: string | null
}

/**
 * Removes the instance's blacklist rows (which reference core.instance) for re-insertion after the
 * store: a manual blacklist decision outlives re-processing. Cheat-check flags are not kept: the
 * store queues a fresh cheat check for the new version.
 */
async function takeBlacklist(tx: AnyTx, instanceId: string): Promise<BlacklistSnapshot> {
  const [row] = await tx.unsafe<{ instance: string | null; players: string | null }[]>(
    `select (select json_agg(b)::text from flagging.blacklist_instance b where b.instance_id = $1::bigint) as instance,
            (select json_agg(p)::text from flagging.blacklist_instance_player p where p.instance_id = $1::bigint) as players`,
    [instanceId],
  )
  await tx.unsafe("delete from flagging.flag_instance_player where instance_id = $1::bigint", [instanceId])
  await tx.unsafe("delete from flagging.flag_instance where instance_id = $1::bigint", [instanceId])
  await tx.unsafe("delete from flagging.blacklist_instance where instance_id = $1::bigint", [instanceId])
  return { instance: row?.instance ?? null, players: row?.players ?? null }
}

async function restoreBlacklist(tx: AnyTx, snapshot: BlacklistSnapshot): Promise<void> {
  if (snapshot.instance === null) return
  await tx.unsafe(
    `insert into flagging.blacklist_instance
     select * from json_populate_recordset(null::flagging.blacklist_instance, ($1::text)::json)`,
    [snapshot.instance],
  )
  if (snapshot.players === null) return
  await tx.unsafe(
    `insert into flagging.blacklist_instance_player
     select * from json_populate_recordset(null::flagging.blacklist_instance_player, ($1::text)::json)`,
    [snapshot.players],
  )
}

/**
 * Deletes an instance with its participants, characters, weapons and raw PGCR. Returns its former
 * players, or null when it was not stored.
 */
export async function deleteInstance(tx: AnyTx, instanceId: string): Promise<string[] | null> {
  const exists = await tx.unsafe("select 1 from core.instance where instance_id = $1::bigint for update", [instanceId])
  if (exists.length === 0) return null
  const players = await tx.unsafe<{ id: string }[]>(
    "select membership_id::text as id from core.instance_player where instance_id = $1::bigint order by membership_id",
    [instanceId],
  )
  await tx.unsafe(
    `with a as (update core.player_stats set fastest_instance_id = null where fastest_instance_id = $1::bigint returning 1),
          w as (delete from extended.instance_character_weapon where instance_id = $1::bigint returning 1)
     select (select count(*) from a) + (select count(*) from w) as n`,
    [instanceId],
  )
  await tx.unsafe("delete from extended.instance_character where instance_id = $1::bigint", [instanceId])
  await tx.unsafe("delete from core.instance_player where instance_id = $1::bigint", [instanceId])
  await tx.unsafe("delete from core.instance where instance_id = $1::bigint", [instanceId])
  await tx.unsafe("delete from raw.pgcr where instance_id = $1::bigint", [instanceId])
  return players.map((p) => p.id)
}

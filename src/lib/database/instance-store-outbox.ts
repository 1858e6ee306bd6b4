/**
 * Outbox rows for the instances of a store transaction. Written in the same transaction as the
 * data, so they exist exactly when the data does (see messaging/outbox-topics.ts for shapes).
 *
 * ClickHouse rows go by reference ({instanceId}): the relay reads the instance from Postgres at
 * delivery time, so a row emitted for a new instance and one re-emitted after a first-clear /
 * sherpa change both deliver the current values, and the outbox stays small in the hot path.
 */
import type { AnyTx } from "./sql-types.ts"

/** ClickHouse rows for new and changed instances, and a cheat check for every new instance. */
export async function writeInstanceOutbox(tx: AnyTx): Promise<{ clickhouse: number; cheatCheck: number; changedIds: string[] }> {
  const [row] = await tx.unsafe<{ clickhouse: number; cheat: number; changed: string[] }[]>(`
    with ch as (
      insert into crawl.outbox (topic, payload)
      select 'clickhouse.instance', convert_to(json_build_object('instanceId', instance_id::text)::text, 'UTF8')
      from (select instance_id from rh_stg1_new union select instance_id from rh_stg1_changed) x
      order by instance_id
      returning 1
    ), cheat as (
      insert into crawl.outbox (topic, payload)
      select 'queue.pgcr_cheat_check', convert_to(json_build_object('instanceId', instance_id::text)::text, 'UTF8')
      from rh_stg1_new order by instance_id
      returning 1
    )
    select (select count(*)::int from ch) as clickhouse, (select count(*)::int from cheat) as cheat,
           coalesce((select array_agg(instance_id::text order by instance_id) from rh_stg1_changed), '{}') as changed`)
  return { clickhouse: row?.clickhouse ?? 0, cheatCheck: row?.cheat ?? 0, changedIds: row?.changed ?? [] }
}

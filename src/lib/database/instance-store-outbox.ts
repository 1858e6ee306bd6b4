/**
 * Outbox rows for the instances of a store transaction. Written in the same transaction as the
 * data, so they exist exactly when the data does (see messaging/outbox-topics.ts for shapes).
 *
 * ClickHouse rows go by reference ({instanceId}): the relay reads the instance from Postgres at
 * delivery time, so a row emitted for a new instance and one re-emitted after a first-clear /
 * sherpa change both deliver the current values, and the outbox stays small in the hot path.
 *
 * The subscription event of a new instance goes by value: it is read after the batch's first
 * clears and sherpas are settled (this runs last in the store), so it carries the real values at
 * store time (the original always sent false / 0), and the subscription stages never have to
 * reread an instance whose aggregates a later batch may move.
 */
import type { AnySql, AnyTx } from "./sql-types.ts"

export interface InstanceOutboxCounts {
  clickhouse: number
  cheatCheck: number
  /** Subscription events (queue.instance_participant_refresh), one per new instance. */
  subscriptionEvents: number
  changedIds: string[]
}

/** ClickHouse rows for new and changed instances; a cheat check and a subscription event for every new instance. */
export async function writeInstanceOutbox(tx: AnyTx): Promise<InstanceOutboxCounts> {
  const [row] = await tx.unsafe<{ clickhouse: number; cheat: number; subs: number; changed: string[] }[]>(`
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
    ), subs as (
      ${SUBSCRIPTION_EVENT_INSERT}
    )
    select (select count(*)::int from ch) as clickhouse, (select count(*)::int from cheat) as cheat,
           (select count(*)::int from subs) as subs,
           coalesce((select array_agg(instance_id::text order by instance_id) from rh_stg1_changed), '{}') as changed`)
  return {
    clickhouse: row?.clickhouse ?? 0,
    cheatCheck: row?.cheat ?? 0,
    subscriptionEvents: row?.subs ?? 0,
    changedIds: row?.changed ?? [],
  }
}

/**
 * The subscription events (instance_id, body) of the instances `ids` selects, as SubscriptionEvent
 * in queues/subscriptions/event.ts: ids as decimal strings, players in membership id
 * order. Set-based (one grouped join, players by primary key) rather than a subquery per
 * instance: on a store batch the per-instance form cost more than the rest of the store (its
 * cost estimate woke Postgres's JIT, ~0.4 s per batch, and stale statistics turned its player
 * lookup into a scan per instance).
 */
function subscriptionEventsSql(ids: string): string {
  return `select i.instance_id, json_build_object(
        'instanceId', i.instance_id::text, 'hash', i.hash::text, 'activityId', av.activity_id,
        'completed', i.completed, 'fresh', i.fresh, 'flawless', i.flawless, 'playerCount', i.player_count,
        'dateStarted', i.date_started, 'dateCompleted', i.date_completed, 'durationSeconds', i.duration,
        'players', x.players)::text as body
      from (
        select ip.instance_id, json_agg(json_build_object(
            'membershipId', ip.membership_id::text, 'membershipType', p.membership_type,
            'completed', ip.completed, 'isFirstClear', ip.is_first_clear, 'sherpas', ip.sherpas)
            order by ip.membership_id) as players
        from (${ids}) n
        join core.instance_player ip on ip.instance_id = n.instance_id
        join core.player p on p.membership_id = ip.membership_id
        group by ip.instance_id
      ) x
      join core.instance i on i.instance_id = x.instance_id
      join definitions.activity_version av on av.hash = i.hash`
}

/** The subscription event of every new instance of the batch. */
const SUBSCRIPTION_EVENT_INSERT = `
      insert into crawl.outbox (topic, payload)
      select 'queue.instance_participant_refresh', convert_to(e.body, 'UTF8')
      from (${subscriptionEventsSql("select instance_id from rh_stg1_new")}) e
      order by e.instance_id
      returning 1`

/**
 * The subscription event of a stored instance as it stands now (replay-subscription-instance),
 * or null when it is not stored.
 */
export async function loadSubscriptionEvent(sql: AnySql | AnyTx, instanceId: string): Promise<string | null> {
  const [row] = await sql.unsafe<{ body: string }[]>(
    `select e.body from (${subscriptionEventsSql("select $1::bigint as instance_id")}) e`,
    [instanceId],
  )
  return row?.body ?? null
}

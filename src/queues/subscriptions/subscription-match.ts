/**
 * subscription_match: applies the active rules to an instance (match-rules.ts), renders one body
 * per destination set off (render.ts), and enqueues the deliveries all or none: the delivery rows
 * and their outbox rows (topic queue.subscription_delivery) are written in one transaction, and
 * the outbox relay publishes them with confirms after commit. A redelivered match message finds
 * its delivery rows (key `<instanceId>.<destinationId>`) and enqueues nothing again.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import type { Definitions } from "../../lib/definitions.ts"
import { TOPICS } from "../../lib/messaging/outbox-topics.ts"
import { type Outcome, ok, type QueueWorker, reject } from "../../lib/messaging/queue-worker.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { decodeSubscriptionEvent, deliveryIdOf, type SubscriptionDelivery } from "./event.ts"
import { matchRules, type RuleRow } from "./match-rules.ts"
import { RAIDHUB_SITE, renderCallback, renderDiscord } from "./render.ts"

export interface SubscriptionMatchDeps {
  sql: AnySql
  defs: Definitions
  log: Logger
  siteUrl?: string
}

export function createSubscriptionMatchWorker(deps: SubscriptionMatchDeps): QueueWorker<Record<string, unknown>> {
  const siteUrl = deps.siteUrl ?? RAIDHUB_SITE
  return {
    queue: "subscription_match",
    async handle(delivery): Promise<Outcome> {
      const decoded = decodeSubscriptionEvent(delivery.value)
      if (!decoded.ok) return reject(decoded.reason)
      const event = decoded.value
      const memberIds = event.players.map((p) => p.membershipId)
      const groupIds = [...new Set(event.players.flatMap((p) => p.groupIds ?? []))]
      const rules = await loadRules(deps.sql, memberIds, groupIds)
      if (rules.length === 0) return ok
      const people = await deps.sql.unsafe<{ id: string; name: string | null; is_private: boolean }[]>(
        `select membership_id::text as id, bungie_name as name, is_private from core.player where membership_id = any($1::bigint[])`,
        [memberIds],
      )
      const privatePlayers = new Set(people.filter((p) => p.is_private).map((p) => p.id))
      const matches = matchRules(event, rules, privatePlayers)
      if (matches.length === 0) return ok
      const version = deps.defs.resolveHash(Number(event.hash))
      const ctx = {
        activityName: deps.defs.activity(event.activityId)?.name ?? version?.activityName ?? `Activity ${event.activityId}`,
        versionName: version?.versionName ?? null,
        names: new Map(people.filter((p) => p.name).map((p) => [p.id, p.name!])),
        siteUrl,
      }
      const messages: SubscriptionDelivery[] = matches.map((m) => {
        const deliveryId = deliveryIdOf(event.instanceId, m.destinationId, event.replayId)
        const body = m.channelType === "discord_webhook" ? renderDiscord(event, m, ctx) : renderCallback(event, m, ctx, deliveryId)
        return { deliveryId, destinationId: m.destinationId, instanceId: event.instanceId, channelType: m.channelType, body }
      })
      const created = await enqueueDeliveries(deps.sql, messages)
      deps.log.info("subscription.matched", { instanceId: event.instanceId, destinations: messages.length, enqueued: created })
      return ok
    },
  }
}

export async function loadRules(sql: AnySql, memberIds: string[], groupIds: string[]): Promise<RuleRow[]> {
  const rows = await sql.unsafe<
    {
      rule_id: string
      destination_id: string
      channel_type: RuleRow["channelType"]
      scope: RuleRow["scope"]
      membership_id: string | null
      group_id: string | null
      require_fresh: boolean
      require_completed: boolean
      bitmap: string
    }[]
  >(
    `select r.id::text as rule_id, r.destination_id::text as destination_id, d.channel_type::text as channel_type,
            r.scope::text as scope, r.membership_id::text as membership_id, r.group_id::text as group_id,
            r.require_fresh, r.require_completed, r.activity_raid_bitmap::text as bitmap
     from subscriptions.rule r join subscriptions.destination d on d.id = r.destination_id
     where r.is_active and d.is_active
       and ((r.scope::text = 'player' and r.membership_id = any($1::bigint[]))
         or (r.scope::text = 'clan' and r.group_id = any($2::bigint[])))
     order by r.destination_id, r.id`,
    [memberIds, groupIds],
  )
  return rows.map((r) => ({
    ruleId: r.rule_id,
    destinationId: r.destination_id,
    channelType: r.channel_type,
    scope: r.scope,
    membershipId: r.membership_id,
    groupId: r.group_id,
    requireFresh: r.require_fresh,
    requireCompleted: r.require_completed,
    activityRaidBitmap: r.bitmap,
  }))
}

/** Delivery rows and their outbox rows in one transaction; returns how many were new. */
export async function enqueueDeliveries(sql: AnySql, messages: readonly SubscriptionDelivery[]): Promise<number> {
  if (messages.length === 0) return 0
  return sql.begin(async (tx) => {
    const created = await tx.unsafe<{ id: string }[]>(
      `insert into subscriptions.delivery (id, destination_id, instance_id)
       select * from unnest($1::text[], $2::bigint[], $3::bigint[])
       on conflict (id) do nothing
       returning id`,
      [messages.map((m) => m.deliveryId), messages.map((m) => m.destinationId), messages.map((m) => m.instanceId)],
    )
    const fresh = new Set(created.map((r) => r.id))
    const payloads = messages.filter((m) => fresh.has(m.deliveryId)).map((m) => JSON.stringify(m))
    if (payloads.length > 0) {
      await tx.unsafe(
        `insert into crawl.outbox (topic, payload) select $1, convert_to(p, 'UTF8') from unnest($2::text[]) with ordinality as t(p, n) order by n`,
        [TOPICS.subscriptionDelivery, payloads],
      )
    }
    return fresh.size
  }) as Promise<number>
}

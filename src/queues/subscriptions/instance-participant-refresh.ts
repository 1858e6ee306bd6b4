/**
 * instance_participant_refresh: the first subscription stage. Takes a new instance's event (store
 * outbox, or replay-subscription-instance), resolves each player's clans (clan-lookup.ts) and
 * hands the event on to subscription_match.
 *
 * Skipped (acked, nothing forwarded): instances with 25 players or more (the original's bound:
 * glitched lobbies and checkpoint farms, not fireteams anyone follows), and every instance while
 * no active rule exists at all. Clans are looked up only while some active clan rule exists, so
 * a deployment without clan subscriptions spends no Bungie calls here.
 */

import type { AnySql } from "../../lib/database/sql-types.ts"
import type { ConfirmedPublisher } from "../../lib/messaging/confirmed-publisher.ts"
import { type Outcome, ok, type QueueWorker, reject } from "../../lib/messaging/queue-worker.ts"
import { RETRY_COUNT_HEADER } from "../../lib/messaging/retry-schedule.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import type { ClanLookup } from "./clan-lookup.ts"
import { decodeSubscriptionEvent } from "./event.ts"

export const MAX_SUBSCRIPTION_PLAYERS = 25

export interface ParticipantRefreshDeps {
  sql: AnySql
  clans: ClanLookup
  publisher: ConfirmedPublisher
  log: Logger
}

export function createInstanceParticipantRefreshWorker(deps: ParticipantRefreshDeps): QueueWorker<Record<string, unknown>> {
  return {
    queue: "instance_participant_refresh",
    async handle(delivery): Promise<Outcome> {
      const decoded = decodeSubscriptionEvent(delivery.value)
      if (!decoded.ok) return reject(decoded.reason)
      const event = decoded.value
      if (event.players.length >= MAX_SUBSCRIPTION_PLAYERS) {
        deps.log.debug("subscription.refresh.skipped", { instanceId: event.instanceId, players: event.players.length })
        return ok
      }
      const [rules] = await deps.sql.unsafe<{ any: boolean; clan: boolean }[]>(
        `select count(*) > 0 as any, count(*) filter (where r.scope::text = 'clan') > 0 as clan
         from subscriptions.rule r join subscriptions.destination d on d.id = r.destination_id
         where r.is_active and d.is_active`,
      )
      if (!rules?.any) return ok
      let groups = new Map<string, string[] | null>()
      if (rules.clan) {
        const resolved = await deps.clans.resolve(event.players, delivery.signal)
        groups = resolved.groups
        if (resolved.unresolved > 0) {
          deps.log.info("subscription.refresh.clans_unknown", { instanceId: event.instanceId, unresolved: resolved.unresolved })
        }
      }
      const forwarded = { ...event, players: event.players.map((p) => ({ ...p, groupIds: groups.get(p.membershipId) ?? null })) }
      await deps.publisher.publish("subscription_match", Buffer.from(JSON.stringify(forwarded)), {
        contentType: "application/json",
        messageId: `match-${event.instanceId}`,
        headers: { [RETRY_COUNT_HEADER]: 0 },
      })
      return ok
    },
  }
}

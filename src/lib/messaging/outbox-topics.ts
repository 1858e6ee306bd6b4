/**
 * Outbox topics and their payloads (JSON, content type application/json, ids as decimal strings).
 *
 *   clickhouse.instance      { instanceId }  a new instance, or one whose first-clear / sherpa
 *                                            values changed; delivered from Postgres's current row
 *                                            (to ClickHouse directly without a broker, through the
 *                                            pgcr_clickhouse queue with one)
 *   queue.player_crawl       { membershipId } new players and players of unknown membership type
 *   queue.character_fill     { membershipId, characterId, instanceId } characters missing class or emblem
 *   queue.pgcr_cheat_check   { instanceId }  every new instance
 *   queue.instance_participant_refresh  SubscriptionEvent (queues/subscriptions/event.ts):
 *                                            every new instance, by value
 *   queue.subscription_delivery  SubscriptionDelivery: written by subscription_match with its
 *                                            delivery rows, in one transaction
 *   queue.pgcr_blocked       { instanceId, blockedAt, … } a PGCR Bungie withholds (code 12); to
 *                                            the pgcr_blocked queue with a broker, into the missed
 *                                            ledger as `blocked` without one
 *
 * A `queue.<name>` topic is published to the RabbitMQ queue `<name>` (queues.ts names them all).
 */
import type { QueueName } from "./queues.ts"

export const CLICKHOUSE_TOPIC_PREFIX = "clickhouse."
export const QUEUE_TOPIC_PREFIX = "queue."

export const TOPICS = {
  clickhouseInstance: "clickhouse.instance",
  playerCrawl: "queue.player_crawl",
  characterFill: "queue.character_fill",
  pgcrCheatCheck: "queue.pgcr_cheat_check",
  pgcrBlocked: "queue.pgcr_blocked",
  instanceParticipantRefresh: "queue.instance_participant_refresh",
  subscriptionDelivery: "queue.subscription_delivery",
} as const satisfies Record<string, `clickhouse.${string}` | `queue.${QueueName}`>

/** With a broker, ClickHouse work goes through this queue to its one writer. */
export const CLICKHOUSE_QUEUE: QueueName = "pgcr_clickhouse"

export interface ClickhouseInstancePayload {
  instanceId: string
}
export interface PlayerCrawlPayload {
  membershipId: string
}
export interface CharacterFillPayload {
  membershipId: string
  characterId: string
  instanceId: string
}
export interface PgcrCheatCheckPayload {
  instanceId: string
}
/** A withheld PGCR. The ledger fields let a broker-less relay write the same ledger row atlas used to. */
export interface PgcrBlockedPayload {
  instanceId: string
  /** ISO-8601: when Bungie first withheld it (the 24 h patience of pgcr_blocked counts from here). */
  blockedAt: string
  crawler?: string
  attempts?: number
  httpStatus?: number | null
  errorCode?: number | null
  lastResult?: string
  /** ISO-8601: when the ledger's replayer may try it (broker-less only); null = terminal. */
  retryAt?: string | null
}

/** The RabbitMQ queue a `queue.<name>` topic goes to, or null for other topics. */
export function queueOfTopic(topic: string): string | null {
  return topic.startsWith(QUEUE_TOPIC_PREFIX) ? topic.slice(QUEUE_TOPIC_PREFIX.length) : null
}

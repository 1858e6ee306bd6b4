/**
 * Outbox topics and their payloads (JSON, content type application/json, ids as decimal strings).
 *
 *   clickhouse.instance         { instanceId }  a new instance, or one whose first-clear / sherpa
 *                                               values changed; the relay reads the current row
 *                                               from Postgres at delivery time
 *   queue.player_crawl          { membershipId } new players and players of unknown membership type
 *   queue.character_fill        { membershipId, characterId, instanceId } characters missing class or emblem
 *   queue.instance_cheat_check  { instanceId }  every new instance
 *
 * A `queue.<name>` topic is published to the RabbitMQ queue `<name>`.
 */

export const CLICKHOUSE_TOPIC_PREFIX = "clickhouse."
export const QUEUE_TOPIC_PREFIX = "queue."

export const TOPICS = {
  clickhouseInstance: "clickhouse.instance",
  playerCrawl: "queue.player_crawl",
  characterFill: "queue.character_fill",
  instanceCheatCheck: "queue.instance_cheat_check",
} as const

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
export interface InstanceCheatCheckPayload {
  instanceId: string
}

/** The RabbitMQ queue a `queue.<name>` topic goes to, or null for other topics. */
export function queueOfTopic(topic: string): string | null {
  return topic.startsWith(QUEUE_TOPIC_PREFIX) ? topic.slice(QUEUE_TOPIC_PREFIX.length) : null
}

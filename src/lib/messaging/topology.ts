/**
 * RabbitMQ topology per work queue, shared by the outbox relay (publisher) and the hermes
 * workers (consumers), which must declare queues with identical arguments:
 *
 *   <queue>        durable; a message rejected without requeue dead-letters to <queue>.dead
 *   <queue>.retry  durable delay queue: x-message-ttl = the queue's retry delay, then
 *                  dead-letters back to <queue> (a consumer retries by publishing here with
 *                  x-retry-count + 1)
 *   <queue>.dead   durable parking queue for messages that exhausted their retries or could not
 *                  be processed; nothing is silently dropped
 *
 * All through the default exchange (routing key = queue name), so no plugin is needed.
 */
import type { Connection } from "rabbitmq-client"

/** Retry delays of the known queues (research §5.1 base delays); others get the default. */
export const QUEUE_RETRY_DELAY_MS: Readonly<Record<string, number>> = {
  player_crawl: 5 * 60_000,
  character_fill: 5 * 60_000,
  instance_cheat_check: 60_000,
  activity_history_crawl: 5 * 60_000,
  clan_crawl: 5 * 60_000,
  pgcr_blocked_retry: 60_000,
}
export const DEFAULT_RETRY_DELAY_MS = 60_000

export interface QueueDeclaration {
  queue: string
  durable: true
  arguments: Record<string, string | number>
}

export const retryQueueName = (queue: string) => `${queue}.retry`
export const deadQueueName = (queue: string) => `${queue}.dead`

/** The three declarations of a work queue, main first. */
export function describeQueueTopology(
  queue: string,
  retryDelayMs = QUEUE_RETRY_DELAY_MS[queue] ?? DEFAULT_RETRY_DELAY_MS,
): QueueDeclaration[] {
  return [
    { queue, durable: true, arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadQueueName(queue) } },
    {
      queue: retryQueueName(queue),
      durable: true,
      arguments: { "x-message-ttl": retryDelayMs, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue },
    },
    { queue: deadQueueName(queue), durable: true, arguments: {} },
  ]
}

/** Declares a work queue with its retry and dead-letter queues (idempotent). */
export async function declareQueueTopology(connection: Connection, queue: string, retryDelayMs?: number): Promise<void> {
  for (const declaration of describeQueueTopology(queue, retryDelayMs)) await connection.queueDeclare(declaration)
}

/** Deletes a work queue and its retry / dead-letter queues (tests and tools). */
export async function deleteQueueTopology(connection: Connection, queue: string): Promise<void> {
  for (const { queue: name } of describeQueueTopology(queue)) await connection.queueDelete({ queue: name })
}

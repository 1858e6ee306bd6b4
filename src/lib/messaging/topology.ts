/**
 * RabbitMQ topology per work queue, declared identically by every producer (outbox relay,
 * workers, tools) and consumer (hermes), so whoever comes first creates it and the others'
 * declarations are no-ops:
 *
 *   <queue>               durable; a message rejected without requeue dead-letters to <queue>.dead
 *                         (a safety net: the runtime itself publishes to .dead with a reason)
 *   <queue>.delay.<tier>  one durable TTL queue per distinct delay of the queue's retry schedule
 *                         (queues.ts); an expired message dead-letters back to <queue>. A consumer
 *                         retries by publishing here with x-retry-count + 1.
 *   <queue>.dead          durable parking queue: retries exhausted or a message that can never
 *                         succeed, with the reason in its headers; nothing is silently dropped
 *
 * All through the default exchange (routing key = queue name), so no broker plugin is needed,
 * and the public API's plain `sendToQueue` to the work queue reaches it as is.
 */
import type { Connection } from "rabbitmq-client"
import { isQueueName, QUEUES } from "./queues.ts"

/** Schedule of queues the table does not know (tests, ad-hoc queues). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000]

export interface QueueDeclaration {
  queue: string
  durable: true
  arguments: Record<string, string | number>
}

export const deadQueueName = (queue: string) => `${queue}.dead`
export const delayQueueName = (queue: string, delayMs: number) => `${queue}.delay.${formatDelay(delayMs)}`

/** 5000 → "5s", 120000 → "2m", 3600000 → "1h", 250 → "250ms": readable and unique per delay. */
export function formatDelay(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`a delay tier must be a positive integer of ms, got ${ms}`)
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1_000 === 0) return `${ms / 1_000}s`
  return `${ms}ms`
}

/** The retry schedule of a queue: the table's, else the default. */
export function retryScheduleOf(queue: string): readonly number[] {
  return isQueueName(queue) ? QUEUES[queue].retrySchedule : DEFAULT_RETRY_SCHEDULE
}

/** The distinct delays of a schedule, ascending: one TTL queue each. */
export function delayTiers(schedule: readonly number[]): number[] {
  return [...new Set(schedule)].sort((a, b) => a - b)
}

/** The declarations of a work queue: main first, then its delay tiers, then the dead-letter queue. */
export function describeQueueTopology(queue: string, schedule: readonly number[] = retryScheduleOf(queue)): QueueDeclaration[] {
  return [
    { queue, durable: true, arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadQueueName(queue) } },
    ...delayTiers(schedule).map((ms) => ({
      queue: delayQueueName(queue, ms),
      durable: true as const,
      arguments: { "x-message-ttl": ms, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue },
    })),
    { queue: deadQueueName(queue), durable: true, arguments: {} },
  ]
}

/** Declares a work queue with its delay tiers and dead-letter queue (idempotent). */
export async function declareQueueTopology(connection: Connection, queue: string, schedule?: readonly number[]): Promise<void> {
  for (const declaration of describeQueueTopology(queue, schedule)) await connection.queueDeclare(declaration)
}

/** Deletes a work queue with its delay tiers and dead-letter queue (tests and tools). */
export async function deleteQueueTopology(connection: Connection, queue: string, schedule?: readonly number[]): Promise<void> {
  for (const { queue: name } of describeQueueTopology(queue, schedule)) await connection.queueDelete({ queue: name })
}

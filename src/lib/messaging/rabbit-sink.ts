/**
 * Delivers outbox rows to RabbitMQ: `queue.<name>` rows to queue <name>, and (with `route`) other
 * topics wherever the caller says, e.g. `clickhouse.instance` to pgcr_clickhouse. Declared topology
 * (topology.ts), persistent messages, publisher confirms, mandatory routing (an unroutable message
 * counts as failed, not delivered). Each message carries messageId "outbox-<id>" so consumers can
 * drop a redelivery after a relay crash, and header x-retry-count 0 for the consumer-side retries.
 */
import type { Connection } from "rabbitmq-client"
import { type DeliveryResult, type OutboxRow, type OutboxSink, outboxMessageId } from "./outbox-sink.ts"
import { queueOfTopic } from "./outbox-topics.ts"
import { RETRY_COUNT_HEADER } from "./retry-schedule.ts"
import { declareQueueTopology } from "./topology.ts"

export interface RabbitSink extends OutboxSink {
  /** Waits for pending confirms and closes the publisher channel (not the connection). */
  close(): Promise<void>
}

export interface RabbitSinkOptions {
  /** The queue a topic goes to (null = not deliverable here); default `queue.<name>` → <name>. */
  route?: (topic: string) => string | null
}

/** Creates the RabbitMQ sink on an open connection. */
export function createRabbitSink(connection: Connection, options: RabbitSinkOptions = {}): RabbitSink {
  const route = options.route ?? queueOfTopic
  const returned = new Set<string>()
  const publisher = connection.createPublisher({
    confirm: true,
    maxAttempts: 2,
    onReturn: (msg) => {
      if (msg.messageId) returned.add(msg.messageId)
    },
  })
  const declared = new Set<string>()

  return {
    name: "rabbitmq",
    async deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult> {
      const failed = new Map<string, string>()
      for (const row of rows) {
        const queue = route(row.topic)
        if (queue === null) failed.set(row.id, `no queue for topic ${row.topic}`)
        else if (!declared.has(queue)) {
          await declareQueueTopology(connection, queue)
          declared.add(queue)
        }
      }
      const sendable = rows.filter((r) => !failed.has(r.id))
      const results = await Promise.allSettled(
        sendable.map((row) =>
          publisher.send(
            {
              exchange: "",
              routingKey: route(row.topic)!,
              durable: true,
              mandatory: true,
              messageId: outboxMessageId(row),
              contentType: row.contentType,
              headers: { [RETRY_COUNT_HEADER]: 0 },
            },
            Buffer.from(row.payload),
          ),
        ),
      )
      results.forEach((result, i) => {
        const row = sendable[i]!
        if (result.status === "rejected") failed.set(row.id, String(result.reason?.message ?? result.reason))
        else if (returned.delete(outboxMessageId(row))) failed.set(row.id, "unroutable (returned by the broker)")
      })
      return { failed }
    },
    close: () => publisher.close(),
  }
}

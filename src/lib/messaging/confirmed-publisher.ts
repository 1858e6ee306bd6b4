/**
 * Publishing that resolves only when the broker has the message: publisher confirms, mandatory
 * routing (a message no queue takes is returned and reported as a failure, never lost quietly),
 * persistent. Used wherever a consumer must publish before it acks (retries, dead letters,
 * follow-up work): if the publish fails the caller does not ack, and the broker redelivers.
 *
 * Returns are matched to their publish through a private header carrying a process-unique
 * sequence number (message ids belong to producers and may repeat).
 */
import type { Connection, Publisher } from "rabbitmq-client"

const PUBLISH_ID_HEADER = "x-raidhub-publish-id"

export interface PublishProps {
  contentType?: string
  messageId?: string
  headers?: Record<string, unknown>
  /** Per-message TTL in ms (delay tiers). */
  expirationMs?: number
}

export interface ConfirmedPublisher {
  /** Resolves once the broker confirmed the message into `queue`; rejects otherwise. */
  publish(queue: string, body: Buffer, props?: PublishProps): Promise<void>
  close(): Promise<void>
}

let sequence = 0

export function createConfirmedPublisher(connection: Connection): ConfirmedPublisher {
  const returned = new Set<string>()
  const publisher: Publisher = connection.createPublisher({
    confirm: true,
    maxAttempts: 2,
    onReturn: (msg) => {
      const id = msg.headers?.[PUBLISH_ID_HEADER]
      if (typeof id === "string") returned.add(id)
    },
  })
  return {
    async publish(queue, body, props = {}) {
      const id = `${process.pid}-${++sequence}`
      await publisher.send(
        {
          exchange: "",
          routingKey: queue,
          durable: true,
          mandatory: true,
          contentType: props.contentType,
          messageId: props.messageId,
          expiration: props.expirationMs === undefined ? undefined : String(Math.max(0, Math.round(props.expirationMs))),
          headers: { ...props.headers, [PUBLISH_ID_HEADER]: id },
        },
        body,
      )
      // A return arrives before the confirm of the same message.
      if (returned.delete(id)) throw new Error(`unroutable: no queue ${JSON.stringify(queue)} (returned by the broker)`)
    },
    close: () => publisher.close(),
  }
}

/** Headers of a delivered message worth carrying into a republished copy (broker bookkeeping dropped). */
export function carriedHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key === "x-death" || key.startsWith("x-first-death-") || key.startsWith("x-last-death-") || key === PUBLISH_ID_HEADER) continue
    out[key] = value
  }
  return out
}

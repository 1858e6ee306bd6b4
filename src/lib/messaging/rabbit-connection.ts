/**
 * The one way this code base opens RabbitMQ: a rabbitmq-client Connection that reconnects by
 * itself (jittered backoff between retryLow and retryHigh) and delivers raw bodies (raw-bodies.ts:
 * ids must never pass through a JS number).
 */
import { Connection } from "rabbitmq-client"
import { installRawBodies } from "./raw-bodies.ts"

export interface RabbitOptions {
  /**
   * Connection-level errors (lost connection, failed reconnect): the client keeps reconnecting by
   * itself, so these are for logs. Required: an EventEmitter "error" without a listener kills the
   * process.
   */
  onError: (error: unknown) => void
  /** Shown in the broker's connection list (rabbitmqctl list_connections client_properties). */
  name?: string
  retryLow?: number
  retryHigh?: number
}

export function connectRabbit(url: string, options: RabbitOptions): Connection {
  installRawBodies()
  const connection = new Connection({
    url,
    connectionName: options.name ?? "raidhub",
    retryLow: options.retryLow ?? 250,
    retryHigh: options.retryHigh ?? 10_000,
  })
  connection.on("error", options.onError)
  return connection
}

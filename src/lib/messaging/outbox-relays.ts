/**
 * The outbox relays: outbox → ClickHouse (when a ClickHouse client is given) and outbox → RabbitMQ
 * (when a broker is configured). Separate from Postgres ingestion: an outage of either only lets
 * outbox rows wait (with backoff); the writers never wait for them. Any app can host them
 * (relay-host.ts): atlas in its relay thread, `bun run relay` on its own.
 */
import type { ClickHouseClient } from "@clickhouse/client"
import { Connection } from "rabbitmq-client"
import type { Sql } from "../database/postgres.ts"
import type { Logger } from "../monitoring/logger.ts"
import { createClickhouseSink } from "./clickhouse-sink.ts"
import { createOutboxRelay, type OutboxRelay } from "./outbox-relay.ts"
import { CLICKHOUSE_TOPIC_PREFIX, QUEUE_TOPIC_PREFIX } from "./outbox-topics.ts"
import { createRabbitSink, type RabbitSink } from "./rabbit-sink.ts"

export interface OutboxRelaysOptions {
  sql: Sql
  clickhouse: ClickHouseClient
  rabbitmqUrl: string | null
  log: Logger
  pollMs?: number
}

export interface OutboxRelays {
  /** Delivers due rows now (tests, final flush); returns rows delivered to ClickHouse. */
  flushClickhouse(): Promise<number>
  stop(): Promise<void>
}

export function startOutboxRelays(o: OutboxRelaysOptions): OutboxRelays {
  const clickhouse = createOutboxRelay({
    sql: o.sql,
    sink: createClickhouseSink({ client: o.clickhouse, sql: o.sql }),
    topicPrefix: CLICKHOUSE_TOPIC_PREFIX,
    exclusive: true,
    batchSize: 1_000,
    pollMs: o.pollMs ?? 500,
    logger: o.log,
  })
  clickhouse.start()
  let rabbit: { relay: OutboxRelay; sink: RabbitSink; connection: Connection } | null = null
  if (o.rabbitmqUrl) {
    const connection = new Connection(o.rabbitmqUrl)
    connection.on("error", (error) => o.log.warn("relay.rabbitmq.error", { error }))
    const sink = createRabbitSink(connection)
    const relay = createOutboxRelay({
      sql: o.sql,
      sink,
      topicPrefix: QUEUE_TOPIC_PREFIX,
      batchSize: 500,
      pollMs: o.pollMs ?? 500,
      logger: o.log,
    })
    relay.start()
    rabbit = { relay, sink, connection }
  }
  return {
    async flushClickhouse() {
      let delivered = 0
      for (;;) {
        const result = await clickhouse.runOnce()
        delivered += result.delivered
        if (result.claimed === 0 || result.failed > 0 || !result.ran) return delivered
      }
    },
    async stop() {
      await clickhouse.stop()
      if (rabbit) {
        await rabbit.relay.stop()
        await rabbit.sink.close()
        await rabbit.connection.close()
      }
    },
  }
}

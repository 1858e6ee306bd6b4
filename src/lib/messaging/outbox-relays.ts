/**
 * The outbox relays, separate from Postgres ingestion: an outage of a destination only lets its
 * outbox rows wait (with backoff); the writers never wait for them. Any app can host them
 * (relay-host.ts): atlas in its relay thread, hermes by default.
 *
 *   with a broker     queue.*       → RabbitMQ queue <name>
 *                     clickhouse.*  → RabbitMQ queue pgcr_clickhouse (its worker is the one
 *                                     ClickHouse writer)
 *   without a broker  clickhouse.*  → ClickHouse directly (exclusive: one relay at a time)
 *                     queue.pgcr_blocked → the missed ledger as `blocked`
 *                     other queue.* rows wait in the outbox until a broker is configured
 */
import type { ClickHouseClient } from "@clickhouse/client"
import type { Connection } from "rabbitmq-client"
import type { Sql } from "../database/postgres.ts"
import type { Logger } from "../monitoring/logger.ts"
import { createClickhouseSink } from "./clickhouse-sink.ts"
import { createBlockedLedgerSink } from "./ledger-sink.ts"
import { createOutboxRelay, type OutboxRelay } from "./outbox-relay.ts"
import { CLICKHOUSE_QUEUE, CLICKHOUSE_TOPIC_PREFIX, QUEUE_TOPIC_PREFIX, TOPICS } from "./outbox-topics.ts"
import { connectRabbit } from "./rabbit-connection.ts"
import { createRabbitSink, type RabbitSink } from "./rabbit-sink.ts"

export interface OutboxRelaysOptions {
  sql: Sql
  /** Needed without a broker (ClickHouse is then written directly); unused with one. */
  clickhouse: ClickHouseClient | null
  rabbitmqUrl: string | null
  log: Logger
  pollMs?: number
}

export interface OutboxRelays {
  /** Delivers due clickhouse.* rows now (tests, final flush); returns the rows delivered. */
  flushClickhouse(): Promise<number>
  /** Stops the relays; without a broker, withheld PGCRs due now reach the ledger first. */
  stop(): Promise<void>
}

export function startOutboxRelays(o: OutboxRelaysOptions): OutboxRelays {
  const pollMs = o.pollMs ?? 500
  const common = { sql: o.sql, pollMs, logger: o.log }
  let rabbit: { sinks: RabbitSink[]; connection: Connection } | null = null
  let clickhouse: OutboxRelay
  let queues: OutboxRelay
  let drainOnStop: OutboxRelay | null = null
  if (o.rabbitmqUrl) {
    const connection = connectRabbit(o.rabbitmqUrl, {
      name: "outbox-relay",
      onError: (error) => o.log.warn("relay.rabbitmq.error", { error }),
    })
    const queueSink = createRabbitSink(connection)
    const clickhouseSink = createRabbitSink(connection, {
      route: (topic) => (topic.startsWith(CLICKHOUSE_TOPIC_PREFIX) ? CLICKHOUSE_QUEUE : null),
    })
    queues = createOutboxRelay({ ...common, sink: queueSink, topicPrefix: QUEUE_TOPIC_PREFIX, batchSize: 500 })
    clickhouse = createOutboxRelay({ ...common, sink: clickhouseSink, topicPrefix: CLICKHOUSE_TOPIC_PREFIX, batchSize: 1_000 })
    rabbit = { sinks: [queueSink, clickhouseSink], connection }
  } else {
    if (o.clickhouse === null) throw new Error("the outbox relays need a ClickHouse client when no broker is configured")
    clickhouse = createOutboxRelay({
      ...common,
      sink: createClickhouseSink({ client: o.clickhouse, sql: o.sql }),
      topicPrefix: CLICKHOUSE_TOPIC_PREFIX,
      exclusive: true,
      batchSize: 1_000,
    })
    queues = createOutboxRelay({ ...common, sink: createBlockedLedgerSink(o.sql), topicPrefix: TOPICS.pgcrBlocked, batchSize: 500 })
    drainOnStop = queues
  }
  clickhouse.start()
  queues.start()
  return {
    async flushClickhouse() {
      return drain(clickhouse)
    },
    async stop() {
      await clickhouse.stop()
      await queues.stop()
      if (drainOnStop) await drain(drainOnStop).catch((error) => o.log.warn("relay.final_drain_failed", { error }))
      if (rabbit) {
        for (const sink of rabbit.sinks) await sink.close()
        await rabbit.connection.close()
      }
    },
  }
}

/** Runs batches until nothing is due (or a batch fails); returns the rows delivered. */
async function drain(relay: OutboxRelay): Promise<number> {
  let delivered = 0
  for (;;) {
    const result = await relay.runOnce()
    delivered += result.delivered
    if (result.claimed === 0 || result.failed > 0 || !result.ran) return delivered
  }
}

import { afterAll, beforeAll, expect, test } from "bun:test"
import { Connection } from "rabbitmq-client"
import { createSql } from "../database/postgres.ts"
import { createTestDatabase, type TestDatabase, uniqueName } from "../database/testing.ts"
import { createOutboxRelay } from "./outbox-relay.ts"
import type { OutboxSink } from "./outbox-sink.ts"
import { QUEUE_TOPIC_PREFIX } from "./outbox-topics.ts"
import { createRabbitSink } from "./rabbit-sink.ts"
import { DEFAULT_RETRY_SCHEDULE, deadQueueName, delayQueueName, delayTiers, deleteQueueTopology } from "./topology.ts"

const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672"

let db: TestDatabase
let rabbit: Connection
const queues: string[] = []
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  rabbit = new Connection({ url: RABBITMQ_URL, retryLow: 100, retryHigh: 1000 })
  await rabbit.onConnect(10_000, true)
})
afterAll(async () => {
  for (const queue of queues) await deleteQueueTopology(rabbit, queue).catch(() => {})
  await rabbit?.close()
  await db?.drop()
})

function newQueue(): string {
  const queue = uniqueName("outbox_test")
  queues.push(queue)
  return queue
}

async function enqueue(queue: string, bodies: object[]): Promise<string[]> {
  const rows = await db.sql.unsafe(
    `insert into crawl.outbox (topic, payload)
     select $1, convert_to(b, 'UTF8') from unnest($2::text[]) with ordinality as t(b, n) order by n
     returning id::text as id`,
    [`queue.${queue}`, bodies.map((b) => JSON.stringify(b))],
  )
  return rows.map((r) => r.id as string)
}

async function drain(queue: string): Promise<{ body: unknown; messageId?: string; durable?: boolean }[]> {
  const channel = await rabbit.acquire()
  try {
    const out = []
    for (;;) {
      const msg = await channel.basicGet({ queue, noAck: true })
      if (!msg) return out
      // rabbitmq-client decodes application/json bodies itself.
      const body = Buffer.isBuffer(msg.body) ? JSON.parse(msg.body.toString("utf8")) : msg.body
      out.push({ body, messageId: msg.messageId, durable: msg.durable })
    }
  } finally {
    await channel.close()
  }
}

test("the queue relay publishes with confirms into a durable queue with delay-tier and dead-letter queues", async () => {
  const queue = newQueue()
  const ids = await enqueue(queue, [{ membershipId: "4611686018400000001" }, { membershipId: "4611686018400000002" }])
  const sink = createRabbitSink(rabbit)
  try {
    const relay = createOutboxRelay({ sql: db.sql, sink, topicPrefix: QUEUE_TOPIC_PREFIX })
    expect(await relay.runOnce()).toEqual({ claimed: 2, delivered: 2, failed: 0, ran: true })
  } finally {
    await sink.close()
  }
  expect((await db.sql`select count(*)::int as n from crawl.outbox`)[0]!.n).toBe(0)
  const messages = await drain(queue)
  expect(messages.map((m) => m.body)).toEqual([{ membershipId: "4611686018400000001" }, { membershipId: "4611686018400000002" }])
  expect(messages.map((m) => m.messageId)).toEqual(ids.map((id) => `outbox-${id}`))
  expect(messages.every((m) => m.durable)).toBe(true)
  // The delay tiers and the dead-letter queue exist (passive declare throws when a queue is missing).
  for (const ms of delayTiers(DEFAULT_RETRY_SCHEDULE)) await rabbit.queueDeclare({ queue: delayQueueName(queue, ms), passive: true })
  await rabbit.queueDeclare({ queue: deadQueueName(queue), passive: true })
})

test("a relay crash after the broker confirmed redelivers the same message id (at-least-once)", async () => {
  const queue = newQueue()
  const [id] = await enqueue(queue, [{ instanceId: "17091392013" }])
  const appName = uniqueName("relay_crash")
  const relaySql = createSql(db.url, { max: 1, applicationName: appName })
  const sink = createRabbitSink(rabbit)
  const crashing: OutboxSink = {
    name: "crashing",
    async deliver(rows) {
      const result = await sink.deliver(rows)
      await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName}`
      return result
    },
  }
  try {
    await expect(createOutboxRelay({ sql: relaySql, sink: crashing, topicPrefix: QUEUE_TOPIC_PREFIX }).runOnce()).rejects.toThrow()
    await relaySql.end({ timeout: 1 }).catch(() => {})
    expect((await db.sql`select count(*)::int as n from crawl.outbox`)[0]!.n).toBe(1)
    expect((await createOutboxRelay({ sql: db.sql, sink, topicPrefix: QUEUE_TOPIC_PREFIX }).runOnce()).delivered).toBe(1)
  } finally {
    await sink.close()
  }
  const messages = await drain(queue)
  expect(messages.map((m) => m.messageId)).toEqual([`outbox-${id}`, `outbox-${id}`])
  expect((await db.sql`select count(*)::int as n from crawl.outbox`)[0]!.n).toBe(0)
})

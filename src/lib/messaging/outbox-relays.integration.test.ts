import { afterAll, beforeAll, expect, test } from "bun:test"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "../database/testing.ts"
import { createLogger } from "../monitoring/logger.ts"
import { enqueueBlockedPgcrs } from "./blocked-outbox.ts"
import { startOutboxRelays } from "./outbox-relays.ts"
import { connectRabbit } from "./rabbit-connection.ts"
import { rawBody } from "./raw-bodies.ts"
import { createTestVhost, type TestVhost } from "./testing/test-vhost.ts"
import { waitUntil } from "./testing/wait-until.ts"

const log = createLogger({ level: "silent" })
let db: TestDatabase
let ch: TestClickhouse
let vhost: TestVhost
beforeAll(async () => {
  ;[db, ch, vhost] = await Promise.all([
    createTestDatabase({ migrate: true }),
    createTestClickhouse({ migrate: true }),
    createTestVhost("relays"),
  ])
})
afterAll(async () => {
  await Promise.all([db?.drop(), ch?.drop(), vhost?.drop()])
})

const blockedAt = "2026-01-02T03:04:05.000Z"

test("without a broker, withheld PGCRs reach the missed ledger as blocked (at the latest when the relays stop)", async () => {
  await db.sql.begin((tx) =>
    enqueueBlockedPgcrs(tx, [
      { instanceId: "17000000001", blockedAt, crawler: "atlas", attempts: 1, httpStatus: 403, errorCode: 12, retryAt: blockedAt },
      { instanceId: "17000000002", blockedAt },
    ]),
  )
  // Other queue rows wait for a broker.
  await db.sql`insert into crawl.outbox (topic, payload) values ('queue.player_crawl', convert_to('{"membershipId":"1"}', 'UTF8'))`
  const relays = startOutboxRelays({ sql: db.sql, clickhouse: ch.client, rabbitmqUrl: null, log, pollMs: 60_000 })
  await relays.stop()
  const ledger =
    await db.sql`select instance_id::text as id, state, crawler, last_error_code, next_retry_at from crawl.missed_pgcr order by 1`
  expect(ledger.map((r) => [r.id, r.state, r.crawler, r.last_error_code])).toEqual([
    ["17000000001", "blocked", "atlas", 12],
    ["17000000002", "blocked", "relay", 12],
  ])
  expect((ledger[0]!.next_retry_at as Date).toISOString()).toBe(blockedAt)
  const left = await db.sql`select topic from crawl.outbox`
  expect(left.map((r) => r.topic)).toEqual(["queue.player_crawl"])
  await db.sql`delete from crawl.outbox`
})

test("with a broker, ClickHouse work goes to pgcr_clickhouse and withheld PGCRs to pgcr_blocked", async () => {
  await db.sql.begin((tx) => enqueueBlockedPgcrs(tx, [{ instanceId: "17000000003", blockedAt }]))
  await db.sql`insert into crawl.outbox (topic, payload) values ('clickhouse.instance', convert_to('{"instanceId":"17000000004"}', 'UTF8'))`
  const relays = startOutboxRelays({ sql: db.sql, clickhouse: null, rabbitmqUrl: vhost.url, log, pollMs: 50 })
  try {
    await waitUntil(async () => (await db.sql`select count(*)::int as n from crawl.outbox`)[0]!.n === 0, "the outbox to drain")
  } finally {
    await relays.stop()
  }
  const rabbit = connectRabbit(vhost.url, { onError: () => {} })
  try {
    const blocked = await rabbit.basicGet({ queue: "pgcr_blocked", noAck: true })
    const clickhouse = await rabbit.basicGet({ queue: "pgcr_clickhouse", noAck: true })
    expect(JSON.parse(rawBody(blocked!).body.toString())).toMatchObject({ instanceId: "17000000003", blockedAt })
    expect(JSON.parse(rawBody(clickhouse!).body.toString())).toEqual({ instanceId: "17000000004" })
    expect(blocked!.headers?.["x-retry-count"]).toBe(0)
  } finally {
    await rabbit.close()
  }
})

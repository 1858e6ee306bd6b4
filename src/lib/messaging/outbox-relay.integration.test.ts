import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test"
import { storeInstances } from "../database/instance-store.ts"
import { createSql } from "../database/postgres.ts"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase, uniqueName } from "../database/testing.ts"
import { generateSyntheticInstances } from "../pgcr/synthetic.ts"
import { createClickhouseSink } from "./clickhouse-sink.ts"
import { createOutboxRelay } from "./outbox-relay.ts"
import type { OutboxSink } from "./outbox-sink.ts"
import { CLICKHOUSE_TOPIC_PREFIX } from "./outbox-topics.ts"

let db: TestDatabase
let ch: TestClickhouse
beforeAll(async () => {
  ;[db, ch] = await Promise.all([createTestDatabase({ migrate: true }), createTestClickhouse({ migrate: true })])
})
afterAll(async () => {
  await Promise.all([db?.drop(), ch?.drop()])
})
beforeEach(async () => {
  await db.sql.unsafe("truncate core.instance, core.player, raw.pgcr, crawl.outbox cascade")
  await ch.client.command({ query: "TRUNCATE TABLE instance" })
})

async function clickhouseIds(final = true): Promise<string[]> {
  const result = await ch.client.query({
    query: `SELECT toString(instance_id) AS id FROM instance ${final ? "FINAL" : ""} ORDER BY instance_id`,
    format: "JSONEachRow",
  })
  return ((await result.json()) as { id: string }[]).map((r) => r.id)
}

async function pendingTopics(): Promise<{ topic: string; n: number }[]> {
  return [...(await db.sql`select topic, count(*)::int as n from crawl.outbox group by topic order by topic`)] as never
}

test("the ClickHouse relay moves instance rows into ClickHouse with the writer's first clears and sherpas", async () => {
  const items = generateSyntheticInstances({ count: 12, playerPool: 6, seed: 8 })
  await storeInstances(db.sql, items)
  const relay = createOutboxRelay({
    sql: db.sql,
    sink: createClickhouseSink({ client: ch.client, sql: db.sql }),
    topicPrefix: CLICKHOUSE_TOPIC_PREFIX,
    exclusive: true,
  })
  const result = await relay.runOnce()
  expect(result).toEqual({ claimed: 12, delivered: 12, failed: 0, ran: true })
  expect(await clickhouseIds()).toEqual(items.map((i) => i.instance.instanceId).sort())
  expect((await pendingTopics()).some((t) => t.topic.startsWith("clickhouse."))).toBe(false)
  // Queue rows belong to another relay and stay.
  expect((await pendingTopics()).map((t) => t.topic)).toContain("queue.pgcr_cheat_check")

  const pg = await db.sql.unsafe(
    `select sum(sherpas)::int as s, count(*) filter (where is_first_clear)::int as f from core.instance_player`,
  )
  const chSums = await ch.client.query({
    query: "SELECT sum(p.sherpas) AS s, countIf(p.is_first_clear = 1) AS f FROM instance FINAL ARRAY JOIN players AS p",
    format: "JSONEachRow",
  })
  const [sums] = (await chSums.json()) as { s: string; f: string }[]
  expect([Number(sums!.s), Number(sums!.f)]).toEqual([pg[0]!.s, pg[0]!.f])
})

test("a failing sink leaves the rows pending with jittered, bounded backoff", async () => {
  await storeInstances(db.sql, generateSyntheticInstances({ count: 3, seed: 9 }))
  const down: OutboxSink = {
    name: "down",
    deliver: async () => {
      throw new Error("clickhouse unreachable")
    },
  }
  const relay = createOutboxRelay({
    sql: db.sql,
    sink: down,
    topicPrefix: CLICKHOUSE_TOPIC_PREFIX,
    backoff: { baseMs: 10_000, maxMs: 20_000 },
  })
  expect(await relay.runOnce()).toEqual({ claimed: 3, delivered: 0, failed: 3, ran: true })
  const rows = await db.sql.unsafe(`select attempts, last_error,
      extract(epoch from next_attempt_at - now()) * 1000 as wait_ms
    from crawl.outbox where topic = 'clickhouse.instance'`)
  expect(rows.length).toBe(3)
  for (const row of rows) {
    expect(row.attempts).toBe(1)
    expect(row.last_error).toBe("clickhouse unreachable")
    expect(Number(row.wait_ms)).toBeGreaterThan(4_000)
    expect(Number(row.wait_ms)).toBeLessThanOrEqual(10_000)
  }
  // Not due yet: nothing is claimed again.
  expect((await relay.runOnce()).claimed).toBe(0)
  await db.sql.unsafe("update crawl.outbox set next_attempt_at = now()")
  const up = createOutboxRelay({
    sql: db.sql,
    sink: createClickhouseSink({ client: ch.client, sql: db.sql }),
    topicPrefix: CLICKHOUSE_TOPIC_PREFIX,
  })
  expect((await up.runOnce()).delivered).toBe(3)
  expect((await clickhouseIds()).length).toBe(3)
})

test("a relay crash between delivery and marking loses nothing; the redelivery collapses in ClickHouse", async () => {
  const items = generateSyntheticInstances({ count: 4, seed: 10 })
  await storeInstances(db.sql, items)
  const appName = uniqueName("relay_crash")
  const relaySql = createSql(db.url, { max: 2, applicationName: appName })
  const real = createClickhouseSink({ client: ch.client, sql: db.sql })
  const crashing: OutboxSink = {
    name: "crashing",
    async deliver(rows) {
      const result = await real.deliver(rows)
      // The relay's session dies after ClickHouse confirmed, before the outbox rows are deleted.
      await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName}`
      return result
    },
  }
  try {
    await expect(createOutboxRelay({ sql: relaySql, sink: crashing, topicPrefix: CLICKHOUSE_TOPIC_PREFIX }).runOnce()).rejects.toThrow()
  } finally {
    await relaySql.end({ timeout: 1 }).catch(() => {})
  }
  expect(await pendingTopics()).toContainEqual({ topic: "clickhouse.instance", n: 4 })
  const relay = createOutboxRelay({ sql: db.sql, sink: real, topicPrefix: CLICKHOUSE_TOPIC_PREFIX })
  expect((await relay.runOnce()).delivered).toBe(4)
  expect(await clickhouseIds()).toEqual(items.map((i) => i.instance.instanceId).sort())
  expect((await pendingTopics()).some((t) => t.topic.startsWith("clickhouse."))).toBe(false)
})

test("the relay loop drains until stopped", async () => {
  await storeInstances(db.sql, generateSyntheticInstances({ count: 7, seed: 12 }))
  const relay = createOutboxRelay({
    sql: db.sql,
    sink: createClickhouseSink({ client: ch.client, sql: db.sql }),
    topicPrefix: CLICKHOUSE_TOPIC_PREFIX,
    batchSize: 3,
    pollMs: 20,
  })
  relay.start()
  const deadline = Date.now() + 10_000
  while ((await pendingTopics()).some((t) => t.topic.startsWith("clickhouse.")) && Date.now() < deadline) await Bun.sleep(20)
  await relay.stop()
  expect((await clickhouseIds()).length).toBe(7)
})

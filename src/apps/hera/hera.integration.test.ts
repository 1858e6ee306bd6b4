/**
 * hera against Postgres, the simulator and RabbitMQ (a private vhost): the clans of the
 * leaderboards' players go to clan_crawl exactly, through the real outbox relay; the clan
 * leaderboard is refreshed once the queue has drained; without a broker nothing is waited for.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Connection } from "rabbitmq-client"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createJobBungie } from "../../lib/jobs/job-bungie.ts"
import { jobTestConfig, SIM_API_KEY } from "../../lib/jobs/testing/job-config.ts"
import { storeSimRaids } from "../../lib/jobs/testing/store-sim-raids.ts"
import { createJobTestVhost, type JobTestVhost } from "../../lib/jobs/testing/test-vhost.ts"
import { createOutboxRelay } from "../../lib/messaging/outbox-relay.ts"
import { createRabbitSink } from "../../lib/messaging/rabbit-sink.ts"
import { declareQueueTopology } from "../../lib/messaging/topology.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { crawlLeaderboardClans } from "./crawl-clans.ts"

const SLOW = 90_000
let db: TestDatabase
let sim: SimHandle
let vhost: JobTestVhost

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  sim = await startSim({ seed: 21, scenario: "backfill", world: { raidShare: 0.5 }, players: { poolSize: 400, clanCount: 30 } })
  vhost = await createJobTestVhost("hera")
  const start = BigInt(sim.truth.frontier().startId)
  await storeSimRaids(db.sql, db.url, sim, start - 200n, start)
  await db.sql`refresh materialized view leaderboard.individual_global_leaderboard`
  await db.sql`refresh materialized view leaderboard.individual_raid_leaderboard`
}, SLOW)
afterAll(async () => {
  await sim?.stop()
  await vhost?.drop()
  await db?.drop()
}, SLOW)

/** The clans Bungie (the simulator) names for every stored player, asked directly. */
async function expectedClans(): Promise<string[]> {
  const players = await db.sql<{ id: string; type: number }[]>`
    select membership_id::text as id, membership_type as type from core.player where membership_type not in (0, 4)`
  const clans = new Set<string>()
  for (const p of players) {
    const res = await fetch(`${sim.url}/Platform/GroupV2/User/${p.type}/${p.id}/0/1/`, {
      headers: { "x-api-key": SIM_API_KEY, "user-agent": "hera-test" },
    })
    const body = (await res.json()) as {
      Response?: { results: { group: { groupId: string } }[]; areAllMembershipsInactive: Record<string, boolean> }
    }
    for (const r of body.Response?.results ?? []) if (!body.Response!.areAllMembershipsInactive[r.group.groupId]) clans.add(r.group.groupId)
  }
  return [...clans].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
}

function run(rabbitmqUrl: string | null, top = 1_000_000) {
  const bungie = createJobBungie(jobTestConfig(db.url, sim.url), { client: "hera-test", concurrency: 8 })
  return crawlLeaderboardClans({
    sql: db.sql,
    bungie,
    top,
    concurrency: 8,
    rabbitmqUrl,
    drainTimeoutMs: 30_000,
    drainPollMs: 100,
    dryRun: false,
  }).finally(() => bungie.close())
}

describe("hera (leaderboard-clan-crawl)", () => {
  test(
    "without a broker: the clans wait in the outbox, the leaderboard is refreshed, nothing waited for",
    async () => {
      const expected = await expectedClans()
      expect(expected.length).toBeGreaterThan(3)
      const report = await run(null)
      expect(report.clans).toEqual(expected)
      expect(report).toMatchObject({
        enqueued: expected.length,
        refreshed: true,
        drain: { drained: false, reason: "noBroker", pendingOutbox: expected.length },
      })
      const rows = await db.sql<{ payload: Uint8Array }[]>`select payload from crawl.outbox where topic = 'queue.clan_crawl' order by id`
      expect(rows.map((r) => JSON.parse(new TextDecoder().decode(r.payload)).groupId)).toEqual(expected)
      await db.sql`delete from crawl.outbox`
      // A smaller top looks at fewer players.
      const small = await run(null, 1)
      expect(small.players).toBeLessThan(report.players)
      await db.sql`delete from crawl.outbox`
    },
    SLOW,
  )

  test(
    "with a broker: relayed to clan_crawl, consumed, drained, then the clan leaderboard is refreshed",
    async () => {
      const log = createLogger({ level: "silent" })
      const connection = new Connection(vhost.url)
      connection.on("error", () => {})
      const sink = createRabbitSink(connection)
      const relay = createOutboxRelay({ sql: db.sql, sink, topicPrefix: "queue.", pollMs: 50, logger: log })
      relay.start()
      // The queue as every producer declares it (durable, with its retry and dead-letter queues).
      await declareQueueTopology(connection, "clan_crawl")
      const consumed: string[] = []
      // A slow worker: the first 500 ms nothing is consumed, so the drain has to wait.
      const consumer = await new Promise<ReturnType<Connection["createConsumer"]>>((resolve) => {
        setTimeout(() => {
          resolve(
            connection.createConsumer({ queue: "clan_crawl", queueOptions: { passive: true }, qos: { prefetchCount: 1 } }, async (msg) => {
              // rabbitmq-client hands application/json bodies over parsed.
              const body = msg.body instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(msg.body)) : msg.body
              consumed.push((body as { groupId: string }).groupId)
            }),
          )
        }, 500)
      })
      try {
        const report = await run(vhost.url)
        expect(report.drain).toMatchObject({ drained: true })
        expect(report.drain!.waitedMs).toBeGreaterThan(0)
        expect(report.refreshed).toBe(true)
        expect([...consumed].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(await expectedClans())
      } finally {
        await consumer.close()
        await relay.stop()
        await sink.close()
        await connection.close()
      }
    },
    SLOW,
  )
})

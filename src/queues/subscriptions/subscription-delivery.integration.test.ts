/**
 * The delivery stage's decisions against the real database, with a scripted HTTP transport (the
 * failure paths a loopback receiver makes slow or awkward): the handler is called directly.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { Registry } from "prom-client"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import type { Delivery, Outcome } from "../../lib/messaging/queue-worker.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { createClanLookup } from "./clan-lookup.ts"
import { createSubscriptionDeliveryWorker, type SubscriptionDeliveryDeps } from "./subscription-delivery.ts"
import { enqueueDeliveries } from "./subscription-match.ts"
import { registerSubscriptionMetrics } from "./subscription-metrics.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})
afterAll(async () => {
  await db?.drop()
})
beforeEach(async () => {
  await db.sql.unsafe("truncate subscriptions.destination, crawl.outbox cascade")
})

async function destination(): Promise<string> {
  const [d] = await db.sql.unsafe<{ id: string }[]>(
    "insert into subscriptions.destination (channel_type) values ('discord_webhook') returning id::text as id",
  )
  await db.sql.unsafe(
    "insert into subscriptions.discord_destination_config (destination_id, webhook_id, webhook_token) values ($1, '9', 'tok')",
    [d!.id],
  )
  return d!.id
}

async function queued(destinationId: string, instanceId = "17000000001"): Promise<Record<string, unknown>> {
  const message = {
    deliveryId: `${instanceId}.${destinationId}`,
    destinationId,
    instanceId,
    channelType: "discord_webhook" as const,
    body: '{"content":"x"}',
  }
  await enqueueDeliveries(db.sql, [message])
  return message
}

function handleWith(responses: (() => Response | Promise<Response>)[], over: Partial<SubscriptionDeliveryDeps> = {}) {
  const calls: number[] = []
  const sleeps: number[] = []
  const worker = createSubscriptionDeliveryWorker({
    sql: db.sql,
    log: createLogger({ level: "silent" }),
    metrics: registerSubscriptionMetrics(new Registry()),
    discordApiUrl: "http://discord.invalid/api",
    fetch: (async () => {
      calls.push(calls.length)
      const next = responses[Math.min(calls.length - 1, responses.length - 1)]!
      return next()
    }) as unknown as typeof fetch,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    ...over,
  })
  return {
    calls,
    sleeps,
    handle: (value: Record<string, unknown>, redelivered = false): Promise<Outcome> =>
      worker.handle({ value, redelivered, signal: new AbortController().signal } as Delivery<Record<string, unknown>>),
  }
}

const state = async (id: unknown) =>
  (await db.sql.unsafe("select state, attempts, last_status from subscriptions.delivery where id = $1", [id as string]))[0]

describe("subscription_delivery decisions", () => {
  test("429 with retry_after 0, again and again: three waits in place, then the claim is released and the message retried", async () => {
    const dest = await destination()
    const message = await queued(dest)
    const w = handleWith([() => Response.json({ retry_after: 0 }, { status: 429 })])
    expect((await w.handle(message)).kind).toBe("retry")
    expect(w.calls).toHaveLength(4)
    expect(w.sleeps).toEqual([0, 0, 0])
    expect({ ...(await state(message.deliveryId)) }).toEqual({ state: "pending", attempts: 1, last_status: 429 })
    const [d] = await db.sql.unsafe("select consecutive_delivery_failures as f from subscriptions.destination")
    expect(d!.f).toBe(0)
  })

  test("a deleted webhook (404) gives the delivery up at once and counts one failure", async () => {
    const dest = await destination()
    const message = await queued(dest)
    const w = handleWith([() => Response.json({ message: "Unknown Webhook", code: 10015 }, { status: 404 })])
    expect((await w.handle(message)).kind).toBe("ok")
    expect({ ...(await state(message.deliveryId)) }).toEqual({ state: "failed", attempts: 1, last_status: 404 })
    const [d] = await db.sql.unsafe(
      "select consecutive_delivery_failures as f, last_delivery_error as e, is_active from subscriptions.destination",
    )
    expect({ ...d }).toEqual({ f: 1, e: "HTTP 404 (code 10015)", is_active: true })
  })

  test("a network error is retried with the claim released; a success afterwards resets the failure count", async () => {
    const dest = await destination()
    const message = await queued(dest)
    let n = 0
    const w = handleWith([
      () => {
        n++
        if (n === 1) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
        return new Response(null, { status: 204 })
      },
    ])
    const first = await w.handle(message)
    expect(first).toEqual({ kind: "retry", reason: "network: Error ECONNRESET (destination failures in a row: 1)" })
    expect((await state(message.deliveryId))!.state).toBe("pending")
    expect((await w.handle(message, true)).kind).toBe("ok")
    expect({ ...(await state(message.deliveryId)) }).toEqual({ state: "sent", attempts: 2, last_status: 204 })
    const [d] = await db.sql.unsafe("select consecutive_delivery_failures as f from subscriptions.destination")
    expect(d!.f).toBe(0)
  })

  test("an inactive destination skips without a request; a message without a delivery row is rejected", async () => {
    const dest = await destination()
    const message = await queued(dest)
    await db.sql.unsafe("update subscriptions.destination set is_active = false")
    const w = handleWith([() => new Response(null, { status: 204 })])
    expect((await w.handle(message)).kind).toBe("ok")
    expect(w.calls).toHaveLength(0)
    expect((await state(message.deliveryId))!.state).toBe("skipped")
    await db.sql.unsafe("update subscriptions.destination set is_active = true")
    const stray = { ...message, deliveryId: `1.${dest}`, instanceId: "1" }
    expect((await w.handle(stray)).kind).toBe("reject")
    expect(w.calls).toHaveLength(0)
  })

  test("enqueueDeliveries is all or none and creates nothing twice", async () => {
    const dest = await destination()
    const m = { deliveryId: `5.${dest}`, destinationId: dest, instanceId: "5", channelType: "discord_webhook" as const, body: "{}" }
    expect(await enqueueDeliveries(db.sql, [m])).toBe(1)
    expect(await enqueueDeliveries(db.sql, [m])).toBe(0)
    const bad = { ...m, deliveryId: "6.999999", destinationId: "999999", instanceId: "6" }
    const other = { ...m, deliveryId: `7.${dest}`, instanceId: "7" }
    await expect(enqueueDeliveries(db.sql, [other, bad])).rejects.toThrow()
    const rows = await db.sql.unsafe("select id from subscriptions.delivery order by id")
    expect(rows.map((r) => r.id)).toEqual([`5.${dest}`])
    const [o] = await db.sql.unsafe("select count(*)::int as n from crawl.outbox where topic = 'queue.subscription_delivery'")
    expect(o!.n).toBe(1)
  })
})

describe("clan lookup", () => {
  test("tables first; Bungie for the rest, cached; failures and unknown types stay unknown and uncached", async () => {
    await db.sql.unsafe("insert into core.player (membership_id, first_seen, last_seen) values (11, now(), now()) on conflict do nothing")
    await db.sql.unsafe("insert into clan.clan (group_id, name) values (500, 'c') on conflict do nothing")
    await db.sql.unsafe("insert into clan.clan_members (group_id, membership_id) values (500, 11) on conflict do nothing")
    const asked: string[] = []
    let fail = true
    let clock = 0
    const lookup = createClanLookup({
      sql: db.sql,
      now: () => clock,
      ttlMs: 1_000,
      bungie: {
        call: async (request) =>
          request({
            getGroupsForMember: async (_type: number, id: bigint) => {
              asked.push(id.toString())
              if (id === 13n && fail) return { kind: "transient", reason: "down", meta: {} }
              return {
                kind: "ok",
                value: { results: [{ group: { groupId: "600", groupType: 1 } }, { group: { groupId: "700", groupType: 0 } }] },
                meta: {},
              }
            },
          } as never) as never,
      },
    })
    const players = [
      { membershipId: "11", membershipType: 3 },
      { membershipId: "12", membershipType: 3 },
      { membershipId: "13", membershipType: 3 },
      { membershipId: "14", membershipType: null },
    ]
    let r = await lookup.resolve(players)
    expect([...r.groups]).toEqual([
      ["11", ["500"]],
      ["12", ["600"]],
      ["13", null],
      ["14", null],
    ])
    expect([r.fromTables, r.fromBungie, r.unresolved]).toEqual([1, 1, 2])
    expect(asked.sort()).toEqual(["12", "13"])
    fail = false
    r = await lookup.resolve(players)
    expect([r.fromCache, r.fromBungie]).toEqual([1, 1])
    expect(asked.sort()).toEqual(["12", "13", "13"])
    clock = 2_000
    await lookup.resolve(players)
    expect(asked.sort()).toEqual(["12", "12", "13", "13", "13"])
  })
})

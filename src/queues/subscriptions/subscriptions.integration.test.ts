/**
 * The subscription pipeline end to end: a raid fetched from the simulator and stored by the
 * store atlas uses, the outbox relay, the three stages in hermes, and a loopback HTTP receiver
 * standing in for Discord and for callback endpoints. Also hermes as a process, SIGKILLed while
 * its POST is in flight.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { Registry } from "prom-client"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { storeInstances } from "../../lib/database/instance-store.ts"
import { loadSubscriptionEvent } from "../../lib/database/instance-store-outbox.ts"
import type { StoreItem } from "../../lib/database/instance-store-types.ts"
import { type OutboxRelays, startOutboxRelays } from "../../lib/messaging/outbox-relays.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { createLogger, type Logger } from "../../lib/monitoring/logger.ts"
import { fetchPgcr } from "../pgcr/fetch-pgcr.ts"
import { createHarness, type Harness, pickIds } from "../testing/harness.ts"
import { createClanLookup } from "./clan-lookup.ts"
import { createInstanceParticipantRefreshWorker } from "./instance-participant-refresh.ts"
import { verifyCallback } from "./sign.ts"
import { createSubscriptionDeliveryWorker } from "./subscription-delivery.ts"
import { createSubscriptionMatchWorker, enqueueDeliveries } from "./subscription-match.ts"
import { registerSubscriptionMetrics, type SubscriptionMetrics } from "./subscription-metrics.ts"

const HERMES_MAIN = join(import.meta.dir, "..", "..", "apps", "hermes", "main.ts")
const DEPLOY_KEY = "deploy-key-do-not-log-9f3a"
const secrets: string[] = [DEPLOY_KEY]

interface Received {
  path: string
  headers: Headers
  body: string
  at: number
}
type Behaviour = (n: number) => Response | Promise<Response>

let h: Harness
let relays: OutboxRelays
let server: ReturnType<typeof Bun.serve>
let hermes: HermesHandle | null = null
let registry: Registry
let metrics: SubscriptionMetrics
const received: Received[] = []
const behaviours = new Map<string, Behaviour>()
const logLines: string[] = []
let log: Logger
let raidIds: bigint[] = []
const usedRaids = new Set<bigint>()

beforeAll(async () => {
  h = await createHarness()
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname
      received.push({ path, headers: req.headers, body: await req.text(), at: performance.now() })
      const behaviour = behaviours.get(path)
      return behaviour ? behaviour(received.filter((r) => r.path === path).length) : new Response(null, { status: 204 })
    },
  })
  relays = startOutboxRelays({ sql: h.db.sql, clickhouse: null, rabbitmqUrl: h.vhost.url, log: h.log, pollMs: 50 })
  log = createLogger({ level: "debug", sink: (line) => logLines.push(line) })
  raidIds = pickIds(h.sim, 8_000).raids
  hermes = await startPipeline()
})
afterAll(async () => {
  await hermes?.stop().catch(() => {})
  await relays?.stop().catch(() => {})
  server?.stop(true)
  await h?.close()
})
beforeEach(async () => {
  // Each test subscribes afresh; players recur across raids, so earlier rules must not fire.
  await h.db.sql.unsafe("update subscriptions.rule set is_active = false")
})

function discordApi(): string {
  return `${server.url.origin}/api`
}

/** Hermes in-process with the three stages (a fresh registry each time: a restart registers anew). */
function startPipeline(): Promise<HermesHandle> {
  registry = new Registry()
  metrics = registerSubscriptionMetrics(registry)
  return h.hermes(
    {
      instance_participant_refresh: (publisher) =>
        createInstanceParticipantRefreshWorker({
          sql: h.db.sql,
          clans: createClanLookup({ sql: h.db.sql, bungie: h.bungie }),
          publisher,
          log,
        }),
      subscription_match: () => createSubscriptionMatchWorker({ sql: h.db.sql, defs: h.defs, log }),
      subscription_delivery: () =>
        createSubscriptionDeliveryWorker({ sql: h.db.sql, log, metrics, discordApiUrl: discordApi(), deploymentKey: DEPLOY_KEY }),
    },
    { specOverrides: { subscription_delivery: { retrySchedule: Array.from({ length: 17 }, () => 50) } }, registry, log },
  )
}

/** A raid with 2..12 players, fetched from the simulator (not yet stored). */
async function nextRaid(): Promise<StoreItem> {
  for (const id of raidIds) {
    if (usedRaids.has(id)) continue
    usedRaids.add(id)
    const fetched = await fetchPgcr(id, { bungie: h.bungie, defs: h.defs })
    if (fetched.kind !== "raid") continue
    const n = fetched.item.instance.players.length
    if (n >= 2 && n <= 12 && fetched.item.instance.players.every((p) => p.player.membershipType !== null)) return fetched.item
  }
  throw new Error("no raid left")
}

async function discordDestination(webhookId: string, token: string): Promise<string> {
  secrets.push(token)
  // As the public API does: the destination row supplies only channel_type.
  const [d] = await h.db.sql.unsafe<{ id: string }[]>(
    "insert into subscriptions.destination (channel_type) values ('discord_webhook') returning id::text as id",
  )
  await h.db.sql.unsafe(
    `insert into subscriptions.discord_destination_config (destination_id, guild_id, channel_id, webhook_id, webhook_token)
     values ($1, '1', $2, $2, $3)`,
    [d!.id, webhookId, token],
  )
  return d!.id
}

async function callbackDestination(path: string, signingSecret: string): Promise<string> {
  secrets.push(signingSecret)
  const [d] = await h.db.sql.unsafe<{ id: string }[]>(
    "insert into subscriptions.destination (channel_type) values ('http_callback') returning id::text as id",
  )
  await h.db.sql.unsafe(
    "insert into subscriptions.http_callback_destination_config (destination_id, callback_url, signing_secret) values ($1, $2, $3)",
    [d!.id, `${server.url.origin}${path}`, signingSecret],
  )
  return d!.id
}

interface RuleSpec {
  scope?: "player" | "clan"
  membershipId?: string
  groupId?: string
  requireFresh?: boolean
  requireCompleted?: boolean
  bitmap?: bigint
  active?: boolean
}
async function rule(destinationId: string, r: RuleSpec): Promise<void> {
  await h.db.sql.unsafe(
    `insert into subscriptions.rule (destination_id, scope, membership_id, group_id, require_fresh, require_completed, activity_raid_bitmap, is_active)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      destinationId,
      r.scope ?? "player",
      r.membershipId ?? null,
      r.groupId ?? null,
      r.requireFresh ?? false,
      r.requireCompleted ?? false,
      (r.bitmap ?? 0n).toString(),
      r.active ?? true,
    ],
  )
}

const postsTo = (path: string) => received.filter((r) => r.path === path)

async function deliveries(instanceId: string): Promise<{ destination: string; state: string }[]> {
  return h.db.sql.unsafe(
    "select destination_id::text as destination, state from subscriptions.delivery where instance_id = $1 order by destination_id",
    [instanceId],
  )
}

async function settled(instanceId: string, n: number): Promise<void> {
  await waitUntil(
    async () => (await deliveries(instanceId)).filter((d) => d.state !== "pending" && d.state !== "sending").length === n,
    `${n} deliveries of ${instanceId} settled`,
  )
}

describe("subscriptions", () => {
  test("a stored raid reaches its subscribed player's Discord channel and callback once, with the right content; non-matching rules stay silent", async () => {
    const raid = await nextRaid()
    const [p1, p2] = raid.instance.players
    const id = raid.instance.instanceId
    const other = raid.activityId === 1 ? 2 : 1
    const discord = await discordDestination("1001", "tok-player-7Yq2")
    const callback = await callbackDestination("/cb/player", "sig-secret-player-55d1")
    const silent = await discordDestination("1002", "tok-silent-Ak9")
    await rule(discord, { membershipId: p1!.player.membershipId, bitmap: 1n << BigInt(raid.activityId) })
    await rule(callback, { membershipId: p1!.player.membershipId })
    // Silent: another raid's bitmap, an inactive rule, a player who did not play, and a private one.
    await rule(silent, { membershipId: p1!.player.membershipId, bitmap: 1n << BigInt(other) })
    await rule(silent, { membershipId: p2!.player.membershipId, active: false })
    await rule(silent, { membershipId: "4611686018400000001" })
    await h.db.sql.unsafe(
      `insert into core.player (membership_id, membership_type, first_seen, last_seen, is_private) values ($1, 3, now(), now(), true)`,
      [p2!.player.membershipId],
    )
    await rule(silent, { membershipId: p2!.player.membershipId, bitmap: 0n })

    await storeInstances(h.db.sql, [raid])
    await waitUntil(() => postsTo("/api/webhooks/1001/tok-player-7Yq2").length >= 1 && postsTo("/cb/player").length >= 1, "both posts")
    await settled(id, 2)
    await Bun.sleep(500)

    const [post] = postsTo("/api/webhooks/1001/tok-player-7Yq2")
    expect(postsTo("/api/webhooks/1001/tok-player-7Yq2")).toHaveLength(1)
    const embed = JSON.parse(post!.body).embeds[0]
    expect(embed.url).toBe(`https://raidhub.io/pgcr/${id}`)
    expect(embed.title).toStartWith(h.defs.activity(raid.activityId)!.name)
    expect(embed.fields[2].value).toBe(String(raid.instance.playerCount))
    expect(JSON.parse(post!.body).allowed_mentions).toEqual({ parse: [] })

    const [cb] = postsTo("/cb/player")
    expect(postsTo("/cb/player")).toHaveLength(1)
    const doc = JSON.parse(cb!.body)
    expect(doc.instance).toMatchObject({ instanceId: id, activityId: raid.activityId, completed: raid.instance.completed })
    expect(doc.players.filter((p: { matched: boolean }) => p.matched).map((p: { membershipId: string }) => p.membershipId)).toEqual([
      p1!.player.membershipId,
    ])
    // The first-clear and sherpa values are the store's, not zeros.
    const stored = await h.db.sql.unsafe<{ id: string; first: boolean; sherpas: number }[]>(
      "select membership_id::text as id, is_first_clear as first, sherpas from core.instance_player where instance_id = $1",
      [id],
    )
    for (const s of stored) {
      const p = doc.players.find((x: { membershipId: string }) => x.membershipId === s.id)
      expect([p.isFirstClear, p.sherpas]).toEqual([s.first, s.sherpas])
    }
    expect(cb!.headers.get("x-raidhub-delivery")).toBe(`${id}.${callback}`)
    expect(cb!.headers.get("x-raidhub-key")).toBe(DEPLOY_KEY)
    expect(
      verifyCallback("sig-secret-player-55d1", cb!.headers.get("x-raidhub-timestamp")!, cb!.headers.get("x-raidhub-signature")!, cb!.body),
    ).toBe(true)
    expect(received.filter((r) => r.path.includes("1002"))).toEqual([])
    expect(await deliveries(id)).toEqual(
      [
        { destination: discord, state: "sent" },
        { destination: callback, state: "sent" },
      ].sort((a, b) => Number(a.destination) - Number(b.destination)),
    )

    // The same delivery message arriving again (redelivered after its POST) posts nothing.
    const before = received.length
    await h.publish(
      "subscription_delivery",
      JSON.stringify({
        deliveryId: `${id}.${discord}`,
        destinationId: discord,
        instanceId: id,
        channelType: "discord_webhook",
        body: post!.body,
      }),
    )
    await waitUntil(
      async () => ((await metrics.outcomes.get()).values.find((v) => v.labels.outcome === "duplicate")?.value ?? 0) >= 1,
      "the duplicate settled",
    )
    // And the whole instance re-injected into the pipeline (a redelivered event) enqueues nothing again.
    await h.publish("instance_participant_refresh", (await loadSubscriptionEvent(h.db.sql, id))!)
    await Bun.sleep(1_000)
    expect(received.length).toBe(before)
  })

  test("a clan rule fires for a member: clans from our clan tables and, for players they lack, from Bungie", async () => {
    const raid = await nextRaid()
    const id = raid.instance.instanceId
    const players = raid.instance.players.map((p) => p.player)
    // Bungie's view (the simulator): the first player that has a clan.
    let bungieClan: { member: string; groupId: string } | null = null
    for (const p of players) {
      const r = await h.bungie.call((c) => c.getGroupsForMember(p.membershipType!, BigInt(p.membershipId), 0, 1))
      const g = r.kind === "ok" ? r.value.results[0]?.group.groupId : undefined
      if (g) {
        bungieClan = { member: p.membershipId, groupId: String(g) }
        break
      }
    }
    expect(bungieClan).not.toBeNull()
    // Our tables: another player in a clan Bungie does not know (so only the tables can say so).
    const tableMember = players.find((p) => p.membershipId !== bungieClan!.member)!
    await h.db.sql.unsafe(
      `insert into core.player (membership_id, membership_type, first_seen, last_seen) values ($1, $2, now(), now()) on conflict do nothing`,
      [tableMember.membershipId, tableMember.membershipType],
    )
    await h.db.sql.unsafe("insert into clan.clan (group_id, name) values (777000111, 'Table Clan') on conflict do nothing")
    await h.db.sql.unsafe("insert into clan.clan_members (group_id, membership_id) values (777000111, $1)", [tableMember.membershipId])

    const viaBungie = await callbackDestination("/cb/clan-bungie", "sig-secret-clan-a")
    const viaTable = await discordDestination("2001", "tok-clan-table-Zx")
    const otherClan = await discordDestination("2002", "tok-clan-other-Qw")
    await rule(viaBungie, { scope: "clan", groupId: bungieClan!.groupId, requireCompleted: raid.instance.completed })
    await rule(viaTable, { scope: "clan", groupId: "777000111" })
    await rule(otherClan, { scope: "clan", groupId: "123456789" })

    await storeInstances(h.db.sql, [raid])
    await settled(id, 2)
    await Bun.sleep(300)
    expect(postsTo("/cb/clan-bungie")).toHaveLength(1)
    const doc = JSON.parse(postsTo("/cb/clan-bungie")[0]!.body)
    const matched = doc.players.filter((p: { matched: boolean }) => p.matched)
    expect(matched.map((p: { membershipId: string }) => p.membershipId)).toContain(bungieClan!.member)
    for (const p of matched) expect(p.groupIds).toContain(bungieClan!.groupId)
    expect(postsTo("/api/webhooks/2001/tok-clan-table-Zx")).toHaveLength(1)
    expect(received.filter((r) => r.path.includes("2002"))).toEqual([])
  })

  test("a receiver answering 500 ten times deactivates its destination with the reason; nothing more is sent to it", async () => {
    const raid = await nextRaid()
    const id = raid.instance.instanceId
    const path = "/api/webhooks/3001/tok-failing-Lm4"
    behaviours.set(path, () => new Response("upstream exploded", { status: 500 }))
    const dest = await discordDestination("3001", "tok-failing-Lm4")
    await rule(dest, { membershipId: raid.instance.players[0]!.player.membershipId })
    await storeInstances(h.db.sql, [raid])
    await settled(id, 1)
    await Bun.sleep(300)
    expect(postsTo(path)).toHaveLength(10)
    const [row] = await h.db.sql.unsafe(
      `select is_active, consecutive_delivery_failures as f, deactivation_reason as reason, last_delivery_error as error,
              deactivated_at is not null as stamped from subscriptions.destination where id = $1`,
      [dest],
    )
    expect(row as unknown).toEqual({
      is_active: false,
      f: 10,
      reason: "delivery_failures: 10 consecutive, last: HTTP 500",
      error: "HTTP 500",
      stamped: true,
    })
    expect(await deliveries(id)).toEqual([{ destination: dest, state: "failed" }])
    expect((await metrics.deactivations.get()).values.reduce((n, v) => n + v.value, 0)).toBe(1)
  })

  test("a 429 from Discord is honoured: the retry waits retry_after, then succeeds once", async () => {
    const raid = await nextRaid()
    const id = raid.instance.instanceId
    const path = "/api/webhooks/4001/tok-limited-Pp0"
    behaviours.set(path, (n) =>
      n === 1
        ? Response.json(
            { message: "You are being rate limited.", retry_after: 0.8, global: false },
            { status: 429, headers: { "Retry-After": "1" } },
          )
        : new Response(null, { status: 204 }),
    )
    const dest = await discordDestination("4001", "tok-limited-Pp0")
    await rule(dest, { membershipId: raid.instance.players[1]!.player.membershipId })
    await storeInstances(h.db.sql, [raid])
    await settled(id, 1)
    await Bun.sleep(300)
    const posts = postsTo(path)
    expect(posts).toHaveLength(2)
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(790)
    expect(await deliveries(id)).toEqual([{ destination: dest, state: "sent" }])
    const [d] = await h.db.sql.unsafe("select consecutive_delivery_failures as f from subscriptions.destination where id = $1", [dest])
    expect(d!.f).toBe(0)
    const sends = (await metrics.sends.get()).values
    expect(
      sends.find((v) => v.labels.status === "rate_limited" && v.labels.channel_type === "discord_webhook")?.value,
    ).toBeGreaterThanOrEqual(1)
  })

  test("hermes SIGKILLed while its POST is in flight: the redelivered message posts nothing twice", async () => {
    await hermes?.stop()
    hermes = null
    const path = "/api/webhooks/5001/tok-killed-Rr8"
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    behaviours.set(path, async () => {
      await held
      return new Response(null, { status: 204 })
    })
    const dest = await discordDestination("5001", "tok-killed-Rr8")
    const child = Bun.spawn(["bun", HERMES_MAIN, "--queue", "subscription_delivery", "--metrics-port", "0", "--no-relays"], {
      env: {
        ...process.env,
        DATABASE_URL: h.db.url,
        RABBITMQ_URL: h.vhost.url,
        HERMES_DISCORD_API_URL: discordApi(),
        HERMES_SUBSCRIPTION_CALLBACK_KEY: DEPLOY_KEY,
        LOG_LEVEL: "debug",
      },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    })
    const stderr = new Response(child.stderr).text()
    try {
      await enqueueDeliveries(h.db.sql, [
        { deliveryId: `99.${dest}`, destinationId: dest, instanceId: "99", channelType: "discord_webhook", body: '{"content":"killed"}' },
      ])
      await waitUntil(() => postsTo(path).length === 1, "the child's POST in flight", 60_000)
      child.kill("SIGKILL")
      await child.exited
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
    // The broker hands the unacked message to the next hermes.
    hermes = await startPipeline()
    await waitUntil(async () => (await deliveries("99"))[0]?.state === "abandoned", "the redelivery settled", 30_000)
    release()
    await Bun.sleep(500)
    expect(postsTo(path)).toHaveLength(1)
    expect(await h.depth("subscription_delivery")).toBe(0)
    const childLog = await stderr
    expect(childLog).toContain("subscription_delivery")
    for (const secret of secrets) expect(childLog).not.toContain(secret)
  }, 120_000)

  test("secrets (webhook tokens, signing secrets, the deployment key) appear in no log line, metric, stored reason or queue message", async () => {
    expect(logLines.length).toBeGreaterThan(0)
    const text = [
      logLines.join(""),
      await registry.metrics(),
      hermes?.metricsUrl ? await (await fetch(`${hermes.metricsUrl}/metrics`)).text() : "",
      JSON.stringify(
        await h.db.sql.unsafe(
          "select last_delivery_error, deactivation_reason from subscriptions.destination union all select last_error, state from subscriptions.delivery",
        ),
      ),
      JSON.stringify(await h.drain("subscription_delivery.dead")),
    ].join("\n")
    expect(text).toContain("subscription_delivery_sends_total")
    for (const secret of secrets) expect(text).not.toContain(secret)
  })
})

import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test"
import type { Connection } from "rabbitmq-client"
import type { Delivery, Outcome, QueueWorker } from "../../../lib/messaging/queue-worker.ts"
import type { QueueName } from "../../../lib/messaging/queues.ts"
import { connectRabbit } from "../../../lib/messaging/rabbit-connection.ts"
import { rawBody } from "../../../lib/messaging/raw-bodies.ts"
import { createTestVhost, type TestVhost } from "../../../lib/messaging/testing/test-vhost.ts"
import { waitUntil } from "../../../lib/messaging/testing/wait-until.ts"
import { deadQueueName } from "../../../lib/messaging/topology.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { type HermesHandle, startHermes } from "./hermes.ts"

const log = createLogger({ level: "silent" })
const SHORT = [40, 80, 120]

let vhost: TestVhost
let rabbit: Connection
beforeAll(async () => {
  vhost = await createTestVhost("runtime")
  rabbit = connectRabbit(vhost.url, { name: "runtime-test", onError: () => {} })
  await rabbit.onConnect(10_000, true)
})
afterAll(async () => {
  await rabbit?.close()
  await vhost?.drop()
})

let hermes: HermesHandle | null = null
afterEach(async () => {
  await hermes?.stop()
  hermes = null
  for (const queue of ["player_crawl", "character_fill", "clan_crawl", "pgcr_exists"]) {
    for (const suffix of ["", ".dead", ".delay.40ms", ".delay.80ms", ".delay.120ms"])
      await rabbit.queuePurge({ queue: queue + suffix }).catch(() => {})
  }
})

interface Seen {
  value: unknown
  retryCount: number
  headers: Record<string, unknown>
}

/** A worker that records what it sees and answers with `decide`. */
function recorder(queue: QueueName, decide: (d: Delivery<unknown>) => Outcome | Promise<Outcome>): QueueWorker & { seen: Seen[] } {
  const seen: Seen[] = []
  return {
    queue,
    seen,
    async handle(delivery) {
      seen.push({ value: delivery.value, retryCount: delivery.retryCount, headers: delivery.headers })
      return decide(delivery)
    },
  }
}

async function start(
  workers: Partial<Record<QueueName, QueueWorker>>,
  getSettings: Parameters<typeof startHermes>[0]["getSettings"] = null,
  handlerTimeoutMs = 5_000,
) {
  hermes = await startHermes({
    connection: rabbit,
    queues: Object.keys(workers) as QueueName[],
    createWorker: (queue) => workers[queue],
    specOverrides: Object.fromEntries(
      Object.keys(workers).map((q) => [q, { retrySchedule: SHORT, workers: { min: 1, max: 2, initial: 1 }, handlerTimeoutMs }]),
    ),
    getSettings,
    availability: { intervalMs: 100, fastIntervalMs: 50, minDisabledMs: 200 },
    metricsPort: 0,
    scaleIntervalMs: 60_000,
    log,
  })
  return hermes
}

async function publish(
  queue: string,
  body: string,
  contentType: string | undefined,
  extra: { durable?: boolean; headers?: Record<string, unknown> } = {},
) {
  const publisher = rabbit.createPublisher({ confirm: true })
  await publisher.send({ routingKey: queue, contentType, durable: extra.durable ?? false, headers: extra.headers }, Buffer.from(body))
  await publisher.close()
}

async function drainQueue(queue: string) {
  const out = []
  for (;;) {
    const m = await rabbit.basicGet({ queue, noAck: true })
    if (!m) return out
    out.push({ body: rawBody(m).body.toString(), headers: m.headers ?? {} })
  }
}

async function metric(series: string): Promise<number> {
  const text = await fetch(`${hermes!.metricsUrl}/metrics`).then((r) => r.text())
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

describe("hermes runtime (real RabbitMQ, private vhost)", () => {
  test("the public API's three wire formats are consumed as sent (not persistent, no headers)", async () => {
    const player = recorder("player_crawl", () => ({ kind: "ok" }))
    const clan = recorder("clan_crawl", () => ({ kind: "ok" }))
    const character = recorder("character_fill", () => ({ kind: "ok" }))
    await start({ player_crawl: player, clan_crawl: clan, character_fill: character })
    await publish("player_crawl", "4611686018488107374", "text/plain")
    await publish("clan_crawl", "4985263", "text/plain")
    await publish(
      "character_fill",
      '{"instanceId":"17091392013","membershipId":"4611686018488107374","characterId":"2305843009301648414"}',
      "application/json",
    )
    // Our outbox's JSON too.
    await publish("player_crawl", '{"membershipId":"4611686018400000001"}', "application/json", {
      durable: true,
      headers: { "x-retry-count": 0 },
    })
    await waitUntil(() => player.seen.length === 2 && clan.seen.length === 1 && character.seen.length === 1, "all four messages")
    expect(player.seen.map((s) => s.value)).toEqual([4611686018488107374n, 4611686018400000001n])
    expect(clan.seen[0]!.value).toBe(4985263n)
    expect(character.seen[0]!.value).toEqual({
      instanceId: 17091392013n,
      membershipId: 4611686018488107374n,
      characterId: 2305843009301648414n,
    })
    await waitUntil(async () => (await metric('queue_messages_processed_total{queue_name="player_crawl",status="ok"}')) === 2, "ok counted")
  })

  test("retries walk the delay tiers with x-retry-count; exhausted goes to .dead with the reason; a poison message never blocks the queue", async () => {
    const worker = recorder("player_crawl", (d) => (d.value === 1n ? { kind: "retry", reason: "Bungie said no" } : { kind: "ok" }))
    await start({ player_crawl: worker })
    await publish("player_crawl", "1", "text/plain")
    for (let i = 2; i <= 6; i++) await publish("player_crawl", String(i), "text/plain")
    await waitUntil(
      async () => (await rabbit.queueDeclare({ queue: deadQueueName("player_crawl"), passive: true })).messageCount === 1,
      "the dead letter",
    )
    const attempts = worker.seen.filter((s) => s.value === 1n)
    expect(attempts.map((a) => a.retryCount)).toEqual([0, 1, 2, 3])
    expect(attempts[1]!.headers["x-last-error"]).toBe("Bungie said no")
    // Every other message went through while the poison one cycled.
    expect(worker.seen.filter((s) => s.value !== 1n).map((s) => s.value)).toEqual([2n, 3n, 4n, 5n, 6n])
    const [dead] = await drainQueue(deadQueueName("player_crawl"))
    expect(dead!.body).toBe("1")
    expect(dead!.headers["x-dead-reason"]).toBe("retries exhausted (3): Bungie said no")
    expect(dead!.headers["x-dead-queue"]).toBe("player_crawl")
    expect(dead!.headers["x-retry-count"]).toBe(3)
    expect(await metric('queue_messages_processed_total{queue_name="player_crawl",status="retry"}')).toBe(3)
    expect(await metric('queue_messages_processed_total{queue_name="player_crawl",status="dead"}')).toBe(1)
  })

  test("an unparseable message goes straight to .dead; a throwing handler is retried", async () => {
    let throws = 1
    const worker = recorder("player_crawl", () => {
      if (throws-- > 0) throw new Error("bug on first sight")
      return { kind: "ok" }
    })
    await start({ player_crawl: worker })
    await publish("player_crawl", "not-an-id", "text/plain")
    await publish("player_crawl", "77", "text/plain")
    await waitUntil(() => worker.seen.filter((s) => s.value === 77n).length === 2, "the retried message")
    expect(worker.seen.map((s) => s.value)).toEqual([77n, 77n])
    const dead = await drainQueue(deadQueueName("player_crawl"))
    expect(dead.map((d) => [d.body, d.headers["x-dead-reason"]])).toEqual([
      ["not-an-id", 'unparseable: body is not a decimal id: "not-an-id"'],
    ])
  })

  test("a handler that never answers is cut off at the queue's timeout (signal aborted) and the message retried", async () => {
    const aborted: string[] = []
    let calls = 0
    const worker = recorder("player_crawl", (d) => {
      if (++calls > 1) return { kind: "ok" }
      return new Promise<Outcome>((resolve) => {
        d.signal.addEventListener("abort", () => aborted.push(String((d.signal.reason as Error).message)))
        setTimeout(() => resolve({ kind: "ok" }), 60_000).unref()
      })
    })
    await start({ player_crawl: worker }, null, 300)
    await publish("player_crawl", "11", "text/plain")
    await waitUntil(() => worker.seen.length === 2, "the retried delivery")
    expect(aborted).toEqual(["handler timeout"])
    expect(worker.seen.map((s) => s.retryCount)).toEqual([0, 1])
    expect(String(worker.seen[1]!.headers["x-last-error"])).toBe("handler timed out after 300 ms")
  })

  test("a handler interrupted by a pause hands its message back in place: no retry, no outage reported", async () => {
    let calls = 0
    const worker = recorder("player_crawl", (d) => {
      if (++calls > 1) return { kind: "ok" }
      // Waits on its signal like a handler waiting for a Bungie permit, then fails as that would.
      return new Promise<Outcome>((_resolve, reject) =>
        d.signal.addEventListener("abort", () => reject(new Error("aborted while waiting"))),
      )
    })
    const h = await start({ player_crawl: worker })
    const runner = h.runners.get("player_crawl")!
    await publish("player_crawl", "12", "text/plain")
    await waitUntil(() => worker.seen.length === 1, "the first delivery")
    runner.pause("operator")
    await waitUntil(
      async () => (await metric('queue_messages_processed_total{queue_name="player_crawl",status="requeue"}')) === 1,
      "the requeue",
    )
    expect(runner.pauseReasons).toEqual(["operator"])
    runner.resume("operator")
    await waitUntil(() => worker.seen.length === 2, "the delivery after the resume")
    expect(worker.seen.map((s) => s.retryCount)).toEqual([0, 0])
    expect(await metric('queue_messages_processed_total{queue_name="player_crawl",status="retry"}')).toBe(0)
  })

  test("requeue costs no retry: to the tail with new headers, or back to the head", async () => {
    let round = 0
    const worker = recorder("player_crawl", () => {
      round++
      if (round === 1) return { kind: "requeue", reason: "later", position: "tail", headers: { "x-first-blocked-at": "t0" } }
      if (round === 2) return { kind: "requeue", reason: "again", position: "head" }
      return { kind: "ok" }
    })
    await start({ player_crawl: worker })
    await publish("player_crawl", "5", "text/plain")
    await waitUntil(() => worker.seen.length === 3, "three deliveries")
    expect(worker.seen.map((s) => s.retryCount)).toEqual([0, 0, 0])
    expect(worker.seen[1]!.headers["x-first-blocked-at"]).toBe("t0")
    expect(await metric('queue_messages_processed_total{queue_name="player_crawl",status="requeue"}')).toBe(2)
  })

  test("a disabled Bungie system pauses the queues that need it (consumers cancelled, nothing held, no retry burned) and they resume by themselves", async () => {
    let destinyEnabled = true
    const settings = async () => ({
      kind: "ok" as const,
      value: { systems: { Destiny2: { enabled: destinyEnabled }, D2Profiles: { enabled: true } } } as never,
      meta: { httpStatus: 200, errorCode: 1, errorStatus: "Success", attempts: 1, latencyMs: 1 },
    })
    const worker = recorder("player_crawl", () =>
      destinyEnabled ? { kind: "ok" } : { kind: "pause", reason: "SystemDisabled", system: "Destiny2" },
    )
    const h = await start({ player_crawl: worker }, settings)
    destinyEnabled = false
    await publish("player_crawl", "9", "text/plain")
    await waitUntil(() => h.runners.get("player_crawl")!.paused, "the pause")
    await waitUntil(() => h.runners.get("player_crawl")!.running === 0, "consumers cancelled")
    await waitUntil(
      async () => (await rabbit.queueDeclare({ queue: "player_crawl", passive: true })).consumerCount === 0,
      "no consumer at the broker",
    )
    // The message is back in the queue, ready (not held unacked), its retry count untouched.
    await waitUntil(
      async () => (await rabbit.queueDeclare({ queue: "player_crawl", passive: true })).messageCount === 1,
      "the message back",
    )
    expect(await metric('queue_paused{queue_name="player_crawl",reason="bungie:Destiny2"}')).toBe(1)
    destinyEnabled = true
    await waitUntil(() => !h.runners.get("player_crawl")!.paused, "the resume")
    await waitUntil(() => worker.seen.filter((s) => s.value === 9n).length >= 2, "the message handled after the resume")
    expect(worker.seen.every((s) => s.retryCount === 0)).toBe(true)
    expect(await metric('queue_messages_processed_total{queue_name="player_crawl",status="retry"}')).toBe(0)
  }, 90_000)
})

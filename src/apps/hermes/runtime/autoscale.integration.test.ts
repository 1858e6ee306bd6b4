import { afterAll, beforeAll, expect, test } from "bun:test"
import type { Connection } from "rabbitmq-client"
import type { QueueWorker } from "../../../lib/messaging/queue-worker.ts"
import { connectRabbit } from "../../../lib/messaging/rabbit-connection.ts"
import { createTestVhost, type TestVhost } from "../../../lib/messaging/testing/test-vhost.ts"
import { waitUntil } from "../../../lib/messaging/testing/wait-until.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { startHermes } from "./hermes.ts"

let vhost: TestVhost
let rabbit: Connection
beforeAll(async () => {
  vhost = await createTestVhost("autoscale")
  rabbit = connectRabbit(vhost.url, { onError: () => {} })
  await rabbit.onConnect(10_000, true)
})
afterAll(async () => {
  await rabbit?.close()
  await vhost?.drop()
})

test("autoscaling follows a burst of 10,000 messages up and back down to min (decisions, not times)", async () => {
  const events: { event: string; direction?: string; from?: number; to?: number }[] = []
  const log = createLogger({ level: "info", sink: (line) => events.push(JSON.parse(line)) })
  // Distinct messages: delivery is at least once (a consumer closed by a scale-down can lose an
  // ack in flight, and that message comes again).
  const handledIds = new Set<bigint>()
  // Each message costs a little service time, so one worker cannot keep up with the burst.
  const worker: QueueWorker<bigint> = {
    queue: "player_crawl",
    async handle(delivery) {
      await Bun.sleep(2)
      handledIds.add(delivery.value)
      return { kind: "ok" }
    },
  }
  const hermes = await startHermes({
    connection: rabbit,
    queues: ["player_crawl"],
    createWorker: () => worker,
    specOverrides: { player_crawl: { workers: { min: 1, max: 16, initial: 1 }, perWorker: { concurrency: 1, prefetch: 2 } } },
    getSettings: null,
    metricsPort: null,
    // A fast clock for the controller (ticks every 250 ms); its decisions are what is checked.
    scaleIntervalMs: 250,
    scaler: { drainSeconds: 5, rateTauMs: 1_000, upTicks: 2, downTicks: 4, cooldownMs: 1_000 },
    log,
  })
  try {
    const runner = hermes.runners.get("player_crawl")!
    const publisher = rabbit.createPublisher({ confirm: true })
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => publisher.send({ routingKey: "player_crawl", contentType: "text/plain" }, String(i + 1))),
    )
    await publisher.close()
    await waitUntil(() => handledIds.size === 10_000, "all 10,000 handled", 120_000, 50).catch(async (error) => {
      const q = await rabbit.queueDeclare({ queue: "player_crawl", passive: true })
      const scaling = events.filter((e) => e.event === "hermes.scale").map((d) => `${d.direction} ${d.from}->${d.to}`)
      throw new Error(
        `${error.message}: handled ${handledIds.size}, ready ${q.messageCount}, broker consumers ${q.consumerCount}, running ${runner.running}, desired ${runner.desired}; decisions ${scaling.join(", ")}`,
      )
    })
    await waitUntil(() => runner.desired === 1, "back down to min", 60_000, 50)

    const decisions = events.filter((e) => e.event === "hermes.scale")
    const directions = decisions.map((d) => d.direction)
    expect(directions[0]).toBe("up")
    expect(directions).toContain("down")
    // Up while the backlog lasts, then down, without flapping back up.
    const firstDown = directions.indexOf("down")
    expect(directions.slice(firstDown).every((d) => d === "down")).toBe(true)
    expect(Math.max(...decisions.map((d) => d.to ?? 0))).toBeGreaterThan(4)
    expect(decisions.every((d) => (d.to ?? 0) >= 1 && (d.to ?? 0) <= 16)).toBe(true)
    // Each decision counted.
    const counted = (await hermes.metrics.scaling.get()).values
    const sum = (direction: string) => counted.filter((v) => v.labels.direction === direction).reduce((n, v) => n + v.value, 0)
    expect(sum("up")).toBe(directions.filter((d) => d === "up").length)
    expect(sum("down")).toBe(directions.filter((d) => d === "down").length)
    expect(runner.running).toBe(1)
  } finally {
    await hermes.stop()
  }
}, 240_000)

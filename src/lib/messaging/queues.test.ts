import { describe, expect, test } from "bun:test"
import { TOPICS } from "./outbox-topics.ts"
import { QUEUE_NAMES, QUEUES, queueSpec } from "./queues.ts"
import { planRetry, readRetryCount } from "./retry-schedule.ts"
import { deadQueueName, delayQueueName, describeQueueTopology, formatDelay } from "./topology.ts"

describe("the queue table", () => {
  test("names are the system's names, keyed by themselves; the old names are gone", () => {
    expect(QUEUE_NAMES).toContain("pgcr_cheat_check")
    expect(QUEUE_NAMES).toContain("activity_history")
    expect(QUEUE_NAMES).toContain("pgcr_blocked")
    for (const old of ["instance_cheat_check", "activity_history_crawl", "pgcr_blocked_retry"]) {
      expect(QUEUE_NAMES as readonly string[]).not.toContain(old)
    }
    for (const name of QUEUE_NAMES) expect(QUEUES[name].name).toBe(name)
    expect(() => queueSpec("pgcr_blocked_retry")).toThrow("unknown queue")
  })

  test("every queue has bounded workers (never below 1), prefetch >= concurrency, a retry schedule and a timeout", () => {
    for (const spec of Object.values(QUEUES)) {
      expect(spec.workers.min).toBeGreaterThanOrEqual(1)
      expect(spec.workers.initial).toBeGreaterThanOrEqual(spec.workers.min)
      expect(spec.workers.max).toBeGreaterThanOrEqual(spec.workers.initial)
      expect(spec.perWorker.prefetch).toBeGreaterThanOrEqual(spec.perWorker.concurrency)
      expect(spec.retrySchedule.length).toBeGreaterThan(0)
      // Held messages must be settled well before RabbitMQ's default 30 min consumer timeout.
      expect(spec.handlerTimeoutMs).toBeLessThan(30 * 60_000)
    }
  })

  test("outbox topics name queues of the table", () => {
    for (const topic of Object.values(TOPICS)) {
      if (topic.startsWith("queue.")) expect(QUEUE_NAMES as readonly string[]).toContain(topic.slice("queue.".length))
    }
  })
})

describe("topology", () => {
  test("a work queue, one TTL queue per distinct delay that dead-letters back, and a dead-letter queue", () => {
    const declarations = describeQueueTopology("subscription_delivery")
    expect(declarations.map((d) => d.queue)).toEqual([
      "subscription_delivery",
      "subscription_delivery.delay.5s",
      "subscription_delivery.delay.1m",
      "subscription_delivery.delay.30m",
      "subscription_delivery.dead",
    ])
    expect(declarations[0]!.arguments).toEqual({ "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "subscription_delivery.dead" })
    expect(declarations[2]!.arguments).toEqual({
      "x-message-ttl": 60_000,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "subscription_delivery",
    })
    // Producer and consumer derive the same declarations from the table.
    expect(describeQueueTopology("subscription_delivery")).toEqual(declarations)
  })

  test("delay labels are unique per delay", () => {
    expect([250, 5_000, 90_000, 120_000, 3_600_000].map(formatDelay)).toEqual(["250ms", "5s", "90s", "2m", "1h"])
    expect(() => formatDelay(0)).toThrow()
    expect(deadQueueName("x")).toBe("x.dead")
  })
})

describe("retry plan", () => {
  test("retry n waits in tier n (the last tier repeats), jittered within [75 %, 100 %]; past the schedule: exhausted", () => {
    const schedule = [5_000, 30_000, 30_000]
    expect(planRetry("q", schedule, 0, () => 1)).toEqual({
      kind: "delay",
      retry: 1,
      delayQueue: delayQueueName("q", 5_000),
      expirationMs: 5_000,
      tierMs: 5_000,
    })
    expect(planRetry("q", schedule, 1, () => 0)).toMatchObject({ retry: 2, delayQueue: "q.delay.30s", expirationMs: 22_500 })
    expect(planRetry("q", schedule, 2, () => 0.5)).toMatchObject({ retry: 3, delayQueue: "q.delay.30s" })
    expect(planRetry("q", schedule, 3)).toEqual({ kind: "exhausted", retries: 3 })
    expect(planRetry("q", [], 0)).toEqual({ kind: "exhausted", retries: 0 })
  })

  test("the retry count header is read leniently: missing or garbage counts as a first delivery", () => {
    expect(readRetryCount(undefined)).toBe(0)
    expect(readRetryCount({ "x-retry-count": 3 })).toBe(3)
    expect(readRetryCount({ "x-retry-count": "2" })).toBe(2)
    expect(readRetryCount({ "x-retry-count": -1 })).toBe(0)
    expect(readRetryCount({ "x-retry-count": "many" })).toBe(0)
  })
})

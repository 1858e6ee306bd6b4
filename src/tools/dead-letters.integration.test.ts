import { afterAll, beforeAll, expect, test } from "bun:test"
import type { Connection } from "rabbitmq-client"
import { connectRabbit } from "../lib/messaging/rabbit-connection.ts"
import { rawBody } from "../lib/messaging/raw-bodies.ts"
import { createTestVhost, type TestVhost } from "../lib/messaging/testing/test-vhost.ts"
import { declareQueueTopology } from "../lib/messaging/topology.ts"
import { readDeadLettersArgs } from "./dead-letters.ts"
import { runToolMain } from "./main.ts"
import type { ToolIo } from "./tool.ts"

let vhost: TestVhost
let rabbit: Connection
beforeAll(async () => {
  vhost = await createTestVhost("dead_letters")
  rabbit = connectRabbit(vhost.url, { onError: () => {} })
  await rabbit.onConnect(10_000, true)
  await declareQueueTopology(rabbit, "player_crawl")
  const publisher = rabbit.createPublisher({ confirm: true })
  for (const [body, reason] of [
    ["4611686018488107374", "retries exhausted (5): transient: 502"],
    ["not-an-id", "unparseable: body is not a decimal id"],
    ["4611686018488107375", "retries exhausted (5): transient: 503"],
  ]) {
    await publisher.send(
      {
        routingKey: "player_crawl.dead",
        contentType: "text/plain",
        durable: true,
        headers: { "x-dead-reason": reason, "x-dead-queue": "player_crawl", "x-retry-count": 5, "x-dead-at": "2026-01-01T00:00:00.000Z" },
      },
      Buffer.from(body!),
    )
  }
  await publisher.close()
})
afterAll(async () => {
  await rabbit?.close()
  await vhost?.drop()
})

function io(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: { RABBITMQ_URL: vhost.url } }
}

const depth = async (queue: string) => (await rabbit.queueDeclare({ queue, passive: true })).messageCount

test("lists the parked messages with their reasons, oldest first, and leaves them parked", async () => {
  const out = io()
  expect(await runToolMain(["dead-letters", "player_crawl"], out)).toBe(0)
  const lines = out.stdout.map((l) => JSON.parse(l))
  expect(lines.map((l) => [l.n, l.body, l.reason, l.retries])).toEqual([
    [1, "4611686018488107374", "retries exhausted (5): transient: 502", 5],
    [2, "not-an-id", "unparseable: body is not a decimal id", 5],
    [3, "4611686018488107375", "retries exhausted (5): transient: 503", 5],
  ])
  expect(out.stderr).toEqual(["dead-letters: 3 parked in player_crawl.dead"])
  expect(await depth("player_crawl.dead")).toBe(3)
  // Listing twice shows the same order (nacked back in place).
  const again = io()
  await runToolMain(["dead-letters", "player_crawl", "--limit", "1"], again)
  expect(JSON.parse(again.stdout[0]!).body).toBe("4611686018488107374")
})

test("--requeue brings them back to the work queue with the retry count reset", async () => {
  const out = io()
  expect(await runToolMain(["dead-letters", "player_crawl", "--requeue", "--limit=1"], out)).toBe(0)
  expect(out.stderr).toEqual(["dead-letters: moved 1 of 3 from player_crawl.dead back to player_crawl"])
  expect(await depth("player_crawl.dead")).toBe(2)
  const message = await rabbit.basicGet({ queue: "player_crawl", noAck: true })
  expect(rawBody(message!).body.toString()).toBe("4611686018488107374")
  expect(message!.headers?.["x-retry-count"]).toBe(0)
  expect(message!.headers?.["x-dead-reason"]).toBeUndefined()
})

test("bad usage and an unreachable broker exit 2 with one line", async () => {
  const read = (positionals: string[]) => readDeadLettersArgs({ flags: { requeue: false, limit: 100 }, positionals })
  expect(() => read([])).toThrow("which queue")
  expect(() => read(["pgcr_blocked_retry"])).toThrow("unknown queue")
  expect(read(["player_crawl"])).toEqual({ queue: "player_crawl", requeue: false, limit: 100 })
  const out = io()
  out.env = { RABBITMQ_URL: "amqp://guest:guest@127.0.0.1:1" }
  expect(await runToolMain(["dead-letters", "player_crawl"], out)).toBe(2)
  expect(out.stderr).toHaveLength(1)
  expect(out.stderr[0]).toMatch(/rabbitmq at 127.0.0.1:1 unreachable .*check RABBITMQ_URL/)
})

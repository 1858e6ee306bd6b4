import { afterAll, beforeAll, expect, test } from "bun:test"
import type { Connection } from "rabbitmq-client"
import { connectRabbit } from "./rabbit-connection.ts"
import { rawBody } from "./raw-bodies.ts"
import { createTestVhost, type TestVhost } from "./testing/test-vhost.ts"
import { waitUntil } from "./testing/wait-until.ts"
import { decodeIdBody } from "./wire-format.ts"

let vhost: TestVhost
let rabbit: Connection
const errors: unknown[] = []
beforeAll(async () => {
  vhost = await createTestVhost("raw_bodies")
  rabbit = connectRabbit(vhost.url, { name: "raw-bodies-test", onError: (error) => errors.push(error) })
  await rabbit.onConnect(10_000, true)
})
afterAll(async () => {
  await rabbit?.close()
  await vhost?.drop()
})

test("a JSON number id arrives as its exact bytes (the library does not JSON.parse it)", async () => {
  await rabbit.queueDeclare({ queue: "raw" })
  const publisher = rabbit.createPublisher({ confirm: true })
  const big = "4611686018488107374"
  await publisher.send({ routingKey: "raw", contentType: "application/json" }, Buffer.from(`{"membershipId":${big}}`))
  await publisher.send({ routingKey: "raw", contentType: "text/plain" }, Buffer.from(big))
  await publisher.send({ routingKey: "raw", contentType: "application/json", contentEncoding: "gzip" }, Buffer.from("x"))
  await publisher.close()
  const first = await rabbit.basicGet({ queue: "raw", noAck: true })
  const second = await rabbit.basicGet({ queue: "raw", noAck: true })
  const third = await rabbit.basicGet({ queue: "raw", noAck: true })
  const a = rawBody(first!)
  expect(Buffer.isBuffer(first!.body)).toBe(true)
  expect(a.contentType).toBe("application/json")
  expect(a.contentEncoding).toBeUndefined()
  expect(decodeIdBody(a.body, a.contentType, "membershipId")).toEqual({ ok: true, value: BigInt(big) })
  expect(rawBody(second!).body.toString()).toBe(big)
  // A producer's own encoding is passed through untouched.
  expect(rawBody(third!).contentEncoding).toBe("gzip")
})

test("closeConnections closes this vhost's connections only, and the client reconnects", async () => {
  const closed = await vhost.closeConnections()
  expect(closed).toBeGreaterThanOrEqual(1)
  await waitUntil(() => errors.length > 0, "the connection error")
  expect(String(errors[0])).toContain("CONNECTION_FORCED")
  await rabbit.onConnect(10_000, true)
  const ok = await rabbit.queueDeclare({ queue: "raw", passive: true })
  expect(ok.queue).toBe("raw")
})

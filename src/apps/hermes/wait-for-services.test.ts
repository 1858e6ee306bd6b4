import { expect, test } from "bun:test"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { describeTarget, ServiceUnavailableError, waitForService } from "./wait-for-services.ts"

test("retries with jittered backoff within the bound, logs one line per attempt, then names the setting", async () => {
  let clock = 0
  const lines: string[] = []
  const attempts: number[] = []
  const failing = waitForService({
    service: "rabbitmq",
    target: "127.0.0.1:1",
    setting: "RABBITMQ_URL",
    waitMs: 3_000,
    log: createLogger({ level: "warn", sink: (l) => lines.push(JSON.parse(l).message) }),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms
    },
    random: () => 0.5,
    connect: async () => {
      attempts.push(clock)
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
    },
  })
  await expect(failing).rejects.toBeInstanceOf(ServiceUnavailableError)
  await expect(failing).rejects.toThrow("rabbitmq unreachable at 127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1): check RABBITMQ_URL")
  expect(attempts.length).toBeGreaterThan(2)
  expect(clock).toBeLessThanOrEqual(3_000)
  expect(lines[0]).toBe("service unreachable: rabbitmq at 127.0.0.1:1, retrying in 0.4 s (RABBITMQ_URL)")
  expect(lines.length).toBe(attempts.length - 1)
})

test("a service that comes up within the bound is used", async () => {
  let calls = 0
  const value = await waitForService({
    service: "postgres",
    target: "x",
    setting: "DATABASE_URL",
    waitMs: 10_000,
    log: createLogger({ level: "silent" }),
    sleep: async () => {},
    connect: async () => {
      if (++calls < 3) throw new Error("starting up")
      return "connected"
    },
  })
  expect(value).toBe("connected")
  expect(describeTarget("postgres://u:secret@db.example:5433/raidhub", "?")).toBe("db.example:5433/raidhub")
})

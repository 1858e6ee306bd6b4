/**
 * The start-up wait on an injected clock (no sleeps), then against real servers: a port nothing
 * listens on, a database that does not exist, a RabbitMQ port nothing listens on.
 */
import { describe, expect, test } from "bun:test"
import { createTestDatabase, DEFAULT_TEST_DATABASE_URL, findFreePort } from "../database/testing.ts"
import { createLogger } from "../monitoring/logger.ts"
import { checkPortFree } from "./check-port-free.ts"
import { classifyConnectError } from "./classify-connect-error.ts"
import { postgresService, rabbitmqService } from "./services.ts"
import { type ServiceTarget, ServiceUnavailableError, waitForService } from "./wait-for-service.ts"

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), { code: "ECONNREFUSED" })

function fakeClock() {
  let now = 1_000_000
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      now += ms
    },
    advance: (ms: number) => {
      now += ms
    },
  }
}

function target(connect: () => Promise<string>): ServiceTarget<string> {
  return { name: "postgres", address: "127.0.0.1:5999", setting: "DATABASE_URL", flag: "--database-url", connect }
}

function captureLog() {
  const events: { event: string; level: string; attempt?: number }[] = []
  const log = createLogger({ level: "debug", sink: (line) => events.push(JSON.parse(line)) })
  return { events, log }
}

describe("waitForService (injected clock)", () => {
  test("retries with jittered backoff, one log line per failed attempt, until it connects", async () => {
    const clock = fakeClock()
    const { events, log } = captureLog()
    let attempts = 0
    const value = await waitForService(
      target(async () => {
        attempts++
        if (attempts < 4) throw refused()
        return "connected"
      }),
      { waitSeconds: 30, log, now: clock.now, sleep: clock.sleep, random: () => 0.5 },
    )
    expect(value).toBe("connected")
    expect(attempts).toBe(4)
    // baseMs 500, doubling, a draw in [d/2, d]: random 0.5 → 0.75 d.
    expect(clock.sleeps).toEqual([375, 750, 1500])
    expect(events.map((e) => [e.level, e.event])).toEqual([
      ["warn", "service unreachable: postgres at 127.0.0.1:5999, retrying in 0.4 s (DATABASE_URL)"],
      ["warn", "service unreachable: postgres at 127.0.0.1:5999, retrying in 0.8 s (DATABASE_URL)"],
      ["warn", "service unreachable: postgres at 127.0.0.1:5999, retrying in 1.5 s (DATABASE_URL)"],
    ])
  })

  test("gives up at the deadline with ServiceUnavailableError naming the setting; the last sleep is cut to the deadline", async () => {
    const clock = fakeClock()
    let attempts = 0
    const error = await waitForService(
      target(async () => {
        attempts++
        clock.advance(100) // each attempt takes time too
        throw refused()
      }),
      { waitSeconds: 10, now: clock.now, sleep: clock.sleep, random: () => 1 },
    ).catch((e) => e)
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    expect(error.setting).toBe("DATABASE_URL")
    expect(error.message).toBe(
      `postgres at 127.0.0.1:5999 unreachable (connection refused) after 10.1 s (${attempts} attempts): check DATABASE_URL or --database-url`,
    )
    expect(clock.sleeps.every((ms) => ms <= 5_000)).toBe(true)
    expect(clock.sleeps.reduce((a, b) => a + b, 0) + attempts * 100).toBeLessThanOrEqual(10_100)
    expect(attempts).toBe(clock.sleeps.length + 1)
  })

  test("waitSeconds 0 (tools): one attempt, the same one-line error, no log", async () => {
    const clock = fakeClock()
    const { events, log } = captureLog()
    let attempts = 0
    const error = await waitForService(
      target(async () => {
        attempts++
        throw refused()
      }),
      { waitSeconds: 0, log, now: clock.now, sleep: clock.sleep },
    ).catch((e) => e)
    expect(attempts).toBe(1)
    expect(error.message).toBe("postgres at 127.0.0.1:5999 unreachable (connection refused): check DATABASE_URL or --database-url")
    expect(events).toEqual([])
  })

  test("failures waiting cannot fix end the wait at once; unknown errors pass through unchanged", async () => {
    const clock = fakeClock()
    const missing = Object.assign(new Error('database "nope" does not exist'), { code: "3D000" })
    await expect(
      waitForService(
        target(() => Promise.reject(missing)),
        { waitSeconds: 30, ...clock },
      ),
    ).rejects.toThrow('postgres at 127.0.0.1:5999: database "nope" does not exist: check DATABASE_URL or --database-url')
    const bug = new TypeError("undefined is not an object")
    await expect(
      waitForService(
        target(() => Promise.reject(bug)),
        { waitSeconds: 30, ...clock },
      ),
    ).rejects.toBe(bug)
    expect(clock.sleeps).toEqual([])
  })
})

describe("classifyConnectError", () => {
  test("network failures are retryable; missing databases and refused logins are not", () => {
    expect(classifyConnectError(refused())).toEqual({ reason: "connection refused", retryable: true })
    expect(classifyConnectError(Object.assign(new Error("getaddrinfo ENOTFOUND db"), { code: "ENOTFOUND" }))).toEqual({
      reason: "unknown host",
      retryable: true,
    })
    expect(classifyConnectError(Object.assign(new Error("x"), { code: "57P03" }))?.retryable).toBe(true)
    expect(classifyConnectError(Object.assign(new Error("password authentication failed"), { code: "28P01" }))).toEqual({
      reason: "authentication failed: password authentication failed",
      retryable: false,
    })
    expect(
      classifyConnectError(
        Object.assign(new Error("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN"), { code: "ACCESS_REFUSED" }),
      ),
    ).toEqual({ reason: "authentication failed: Login was refused using authentication mechanism PLAIN", retryable: false })
    expect(classifyConnectError(new Error("wrapped", { cause: refused() }))?.reason).toBe("connection refused")
    expect(classifyConnectError(new Error("something else"))).toBeNull()
  })
})

describe("against real servers", () => {
  const quiet = createLogger({ level: "silent" })

  test("postgres on a port nothing listens on: retried for the wait, then one line naming DATABASE_URL", async () => {
    const port = await findFreePort()
    const { events, log } = captureLog()
    const started = Date.now()
    const error = await waitForService(postgresService({ url: `postgres://postgres@127.0.0.1:${port}/raidhub`, logger: quiet }), {
      waitSeconds: 1,
      log,
    }).catch((e) => e)
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    expect(error.message).toMatch(
      new RegExp(
        `^postgres at 127\\.0\\.0\\.1:${port} unreachable \\(connection refused\\) after [\\d.]+ s \\(\\d+ attempts\\): check DATABASE_URL or --database-url$`,
      ),
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect(events.length).toBeGreaterThanOrEqual(1)
    expect(events[0]!.event).toMatch(
      new RegExp(`^service unreachable: postgres at 127\\.0\\.0\\.1:${port}, retrying in [\\d.]+ s \\(DATABASE_URL\\)$`),
    )
  })

  test("a database that does not exist: at once, naming it", async () => {
    const url = new URL(process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL)
    url.pathname = "/raidhub_no_such_database_for_tests"
    const error = await waitForService(postgresService({ url: url.toString(), logger: quiet }), { waitSeconds: 1 }).catch((e) => e)
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    expect(error.message).toBe(
      `postgres at ${url.hostname}:${url.port || 5432}: database "raidhub_no_such_database_for_tests" does not exist: check DATABASE_URL or --database-url`,
    )
  })

  test("a reachable database connects and answers", async () => {
    const db = await createTestDatabase()
    try {
      const pg = await waitForService(postgresService({ url: db.url, logger: quiet }), { waitSeconds: 1 })
      try {
        const [row] = await pg.sql<{ one: number }[]>`SELECT 1 AS one`
        expect(row!.one).toBe(1)
      } finally {
        await pg.close()
      }
    } finally {
      await db.drop()
    }
  })

  test("rabbitmq on a port nothing listens on: one line naming RABBITMQ_URL", async () => {
    const port = await findFreePort()
    const error = await waitForService(rabbitmqService({ url: `amqp://guest:guest@127.0.0.1:${port}` }), { waitSeconds: 0 }).catch((e) => e)
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    expect(error.message).toBe(`rabbitmq at 127.0.0.1:${port} unreachable (connection refused): check RABBITMQ_URL or --rabbitmq-url`)
  })

  test("rabbitmq with a wrong password: at once, authentication failed", async () => {
    const url = process.env.TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672"
    const wrong = new URL(url)
    wrong.password = "not-the-password"
    const error = await waitForService(rabbitmqService({ url: wrong.toString() }), { waitSeconds: 30 }).catch((e) => e)
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    expect(error.message).toStartWith(`rabbitmq at ${wrong.hostname}:${wrong.port || 5672}: authentication failed`)
  })

  test("a reachable rabbitmq completes the handshake", async () => {
    const url = process.env.TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672"
    const connection = await waitForService(rabbitmqService({ url }), { waitSeconds: 1 })
    expect(connection.ready).toBe(true)
    await connection.close()
  })
})

describe("checkPortFree", () => {
  test("a taken port is an EADDRINUSE error carrying the port; a free one passes", async () => {
    const holder = Bun.serve({ port: 0, hostname: "0.0.0.0", fetch: () => new Response("") })
    try {
      const error = await checkPortFree(holder.port!).catch((e) => e)
      expect(error).toMatchObject({ code: "EADDRINUSE", port: holder.port, message: `port ${holder.port} is in use` })
    } finally {
      holder.stop(true)
    }
    await checkPortFree(await findFreePort())
    await checkPortFree(0)
  })
})

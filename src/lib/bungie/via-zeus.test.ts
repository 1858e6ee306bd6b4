/**
 * The via-zeus client against a scripted stand-in for zeus (the real zeus is tested with it in
 * src/apps/zeus/via-zeus.integration.test.ts): what it sends, and how zeus's own answers are classified.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PGCR_FIXTURES_DIR } from "../fixtures-path.ts"
import { createBungieForApp } from "./for-app.ts"
import { createViaZeusBungie } from "./via-zeus.ts"

const pgcrBytes = readFileSync(join(PGCR_FIXTURES_DIR, "7315438924.json"))
const throttleBody = readFileSync(join(PGCR_FIXTURES_DIR, "error-51-PerEndpointRequestThrottleExceeded.json"))
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" }

function zeusLocal(status: string, httpStatus: number, code = 0): Response {
  const body = { ErrorCode: code, ThrottleSeconds: 0, ErrorStatus: status, Message: `zeus says ${status}`, MessageData: {} }
  return Response.json(body, { status: httpStatus, headers: { "x-zeus-local": status } })
}

const seen: { path: string; headers: Record<string, string> }[] = []
let timeoutsLeft = 0
let fake: ReturnType<typeof Bun.serve>

beforeAll(() => {
  fake = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const url = new URL(request.url)
      seen.push({ path: url.pathname + url.search, headers: Object.fromEntries(request.headers) })
      const id = url.pathname.split("/").at(-2)
      if (url.pathname === "/Platform/Settings/")
        return Response.json({ ErrorCode: 1, Response: { systems: { Destiny2: { enabled: true } } } })
      if (id === "7315438924") {
        if (timeoutsLeft > 0) {
          timeoutsLeft--
          return zeusLocal("ZeusQueueTimeout", 503)
        }
        return new Response(pgcrBytes, { headers: JSON_TYPE })
      }
      if (id === "51") return new Response(throttleBody, { status: 429, headers: JSON_TYPE })
      if (id === "5") return zeusLocal("SystemDisabled", 503, 5)
      return new Response("?", { status: 400 })
    },
  })
})

afterAll(() => {
  fake.stop(true)
})

function makeClient(client = "hermes/player_crawl") {
  const sleeps: number[] = []
  const bungie = createViaZeusBungie({
    zeusUrl: `http://127.0.0.1:${fake.port}`,
    client,
    timeoutMs: 3_000,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
  })
  return { bungie, sleeps }
}

describe("via-zeus client", () => {
  test("sends Bungie's path to zeus with the caller tag and a queue deadline, and no API key", async () => {
    const { bungie } = makeClient()
    seen.length = 0
    const { result, addressIndex, outcome } = await bungie.attemptPgcr(7315438924n, 0)
    bungie.close()
    expect(result.kind).toBe("ok")
    expect(result.kind === "ok" && result.value.pgcr.activityDetails.instanceId).toBe("7315438924")
    expect(addressIndex).toBe(0)
    expect(outcome).toBe("ok")
    expect(bungie.limiter).toBeNull()
    expect(bungie.addresses).toBe(1)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.path).toBe("/Platform/Destiny2/Stats/PostGameCarnageReport/7315438924/")
    expect(seen[0]!.headers["x-raidhub-client"]).toBe("hermes/player_crawl")
    expect(seen[0]!.headers["x-raidhub-deadline-ms"]).toBe("2000")
    expect(seen[0]!.headers["x-api-key"]).toBeUndefined()
    expect(seen[0]!.headers["user-agent"]).toMatch(/^RaidHub-Services\//)
  })

  test("a queue timeout is a transient local result, retried by call() with backoff", async () => {
    const { bungie, sleeps } = makeClient()
    timeoutsLeft = 1
    const first = await bungie.attemptPgcr(7315438924n, 0)
    expect(first.result.kind).toBe("transient")
    expect(first.outcome).toBe("transient")
    expect(first.result.meta).toMatchObject({ httpStatus: 503, errorStatus: "ZeusQueueTimeout" })
    timeoutsLeft = 2
    const called = await bungie.call((c) => c.getPgcr(7315438924n))
    bungie.close()
    expect(called.kind).toBe("ok")
    expect(sleeps).toHaveLength(2)
    expect(sleeps.every((ms) => ms > 0)).toBe(true)
  })

  test("Bungie's answers relayed by zeus keep their meaning: 51 is a throttle, SystemDisabled is disabled", async () => {
    const { bungie } = makeClient()
    const throttled = await bungie.attemptPgcr(51n, 0)
    const disabled = await bungie.attemptPgcr(5n, 0)
    const settings = await bungie.getSettings()
    bungie.close()
    expect(throttled.result.kind).toBe("throttled")
    expect(throttled.outcome).toBe("throttled")
    expect(disabled.result.kind).toBe("disabled")
    expect(settings.kind).toBe("ok")
  })

  test("a caller tag zeus would not accept is a programming error", () => {
    expect(() => makeClient("hermes player crawl")).toThrow(/client tag/)
  })
})

describe("createBungieForApp", () => {
  const base = { BUNGIE_BASE_URL: "http://127.0.0.1:9", BUNGIE_WWW_BASE_URL: "http://127.0.0.1:9" }

  test("ZEUS_URL set: through zeus, no local limiter, no key needed", () => {
    const bungie = createBungieForApp({ ...base, BUNGIE_API_KEY: null, ZEUS_URL: `http://127.0.0.1:${fake.port}` }, { client: "hades" })
    expect(bungie.limiter).toBeNull()
    bungie.close()
  })

  test("no ZEUS_URL: a local limiter with one bucket per source address", () => {
    const bungie = createBungieForApp(
      { ...base, BUNGIE_API_KEY: "local-key-123456", ZEUS_URL: null },
      { client: "hades", sourceAddresses: ["127.0.0.2", "127.0.0.3"] },
    )
    expect(bungie.limiter?.options.addresses).toBe(2)
    expect(bungie.addresses).toBe(2)
    bungie.close()
    const single = createBungieForApp({ ...base, BUNGIE_API_KEY: "local-key-123456", ZEUS_URL: "" }, { client: "hades" })
    expect(single.limiter?.options.addresses).toBe(1)
    single.close()
  })

  test("neither a key nor zeus: refuses, naming both settings", () => {
    expect(() => createBungieForApp({ ...base, BUNGIE_API_KEY: null, ZEUS_URL: null }, { client: "hades" })).toThrow(
      /BUNGIE_API_KEY.*ZEUS_URL/,
    )
  })
})

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PGCR_FIXTURES_DIR } from "../fixtures-path.ts"
import { type BungieAttemptReport, type BungieClient, buildUserAgent, createBungieClient, platformRoot } from "./client.ts"

const API_KEY = "client-test-key-fedcba9876543210"
const pgcrBytes = readFileSync(join(PGCR_FIXTURES_DIR, "7315438924.json"))
const notFoundBody = readFileSync(join(PGCR_FIXTURES_DIR, "error-1653-DestinyPGCRNotFound.json"))
const throttleBody = readFileSync(join(PGCR_FIXTURES_DIR, "error-51-PerEndpointRequestThrottleExceeded.json"))

const seen: { host: string; url: string; userAgent: string | null; keyOk: boolean }[] = []
let stats: ReturnType<typeof Bun.serve>
let www: ReturnType<typeof Bun.serve>
let client: BungieClient
const reports: BungieAttemptReport[] = []
const acquired: string[] = []

function envelope(response: unknown): Response {
  return Response.json({ Response: response, ErrorCode: 1, ThrottleSeconds: 0, ErrorStatus: "Success", Message: "Ok", MessageData: {} })
}

function pgcrRoute(url: URL): Response {
  const id = url.pathname.split("/").at(-2)
  const json = { headers: { "Content-Type": "application/json; charset=utf-8" } }
  switch (id) {
    case "7315438924":
      return new Response(pgcrBytes, json)
    case "1":
      return new Response(notFoundBody, { status: 404, ...json })
    case "2": // 502 page, then a truncated body, then the real thing
      if (url.searchParams.has("malformed_retry")) return new Response(pgcrBytes, json)
      if (url.searchParams.has("retry")) return new Response(pgcrBytes.subarray(0, 4000), json)
      return new Response("<html><head><title>502 Bad Gateway</title></head></html>", {
        status: 502,
        headers: { "Content-Type": "text/html" },
      })
    case "3":
      return new Response("<html><head><title>502 Bad Gateway</title></head></html>", {
        status: 502,
        headers: { "Content-Type": "text/html" },
      })
    case "4":
      return new Response(throttleBody, { status: 429, ...json })
    default:
      return new Response("?", { status: 400 })
  }
}

beforeAll(() => {
  const record = (host: string) => (request: Request) => {
    seen.push({ host, url: request.url, userAgent: request.headers.get("user-agent"), keyOk: request.headers.get("x-api-key") === API_KEY })
    const url = new URL(request.url)
    if (host === "stats") return pgcrRoute(url)
    if (url.pathname === "/Platform/Settings/") return envelope({ systems: { Destiny2: { enabled: true } } })
    // Echo the path and query, with a 64-bit number literal to prove bigint-safe decoding.
    return new Response(
      `{"Response":{"path":${JSON.stringify(url.pathname + url.search)},"big":4611686018467238754},"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success","Message":"Ok","MessageData":{}}`,
      {
        headers: { "Content-Type": "application/json" },
      },
    )
  }
  stats = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: record("stats") })
  www = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: record("www") })
  client = createBungieClient({
    baseUrl: `http://127.0.0.1:${stats.port}`,
    wwwBaseUrl: `http://127.0.0.1:${www.port}/Platform/`,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    maxAttempts: 4,
    contact: "ops@example.invalid",
    sleep: async () => {},
    beforeAttempt: async (c) => void acquired.push(`${c.endpoint}#${c.attempt}`),
    onAttempt: (r) => void reports.push(r),
  })
})

afterAll(() => {
  client.close()
  stats.stop(true)
  www.stop(true)
})

function lastSeen() {
  return seen[seen.length - 1]!
}

describe("createBungieClient", () => {
  test("getPgcr returns the body bytes untouched and the decoded PGCR (fireteamId as its literal)", async () => {
    const result = await client.getPgcr(7315438924n)
    if (result.kind !== "ok") throw new Error(`expected ok, got ${result.kind}`)
    expect(Buffer.from(result.value.bytes).equals(pgcrBytes)).toBe(true)
    expect(result.value.pgcr.activityDetails.instanceId).toBe("7315438924")
    expect(result.value.pgcr.entries[0]!.values.fireteamId!.basic.value).toBe("-4.1464340033305185E+18")
    expect(result.meta).toMatchObject({ httpStatus: 200, errorCode: 1, errorStatus: "Success", attempts: 1 })
    expect(lastSeen()).toMatchObject({ host: "stats", keyOk: true, userAgent: buildUserAgent("ops@example.invalid") })
    expect(new URL(lastSeen().url).pathname).toBe("/Platform/Destiny2/Stats/PostGameCarnageReport/7315438924/")
  })

  test("getPgcr: 1653 is notFound after one request", async () => {
    const result = await client.getPgcr(1n)
    expect(result.kind).toBe("notFound")
    expect(result.meta).toMatchObject({ httpStatus: 404, errorCode: 1653, attempts: 1 })
  })

  test("getPgcr: 502 then truncated then ok, with cache-busting params and one limiter acquire per request", async () => {
    const before = seen.length
    acquired.length = 0
    reports.length = 0
    const result = await client.getPgcr(2n)
    expect(result.kind).toBe("ok")
    expect(result.meta.attempts).toBe(3)
    expect(seen.slice(before).map((s) => new URL(s.url).search)).toEqual(["", "?retry=1", "?malformed_retry=2"])
    expect(acquired).toEqual(["pgcr#1", "pgcr#2", "pgcr#3"])
    expect(reports.map((r) => [r.endpoint, r.host, r.kind, r.meta.httpStatus])).toEqual([
      ["pgcr", "stats", "transient", 502],
      ["pgcr", "stats", "badFormat", 200],
      ["pgcr", "stats", "ok", 200],
    ])
  })

  test("getPgcr: gives up after maxAttempts with the last real status", async () => {
    const before = seen.length
    const result = await client.getPgcr(3n)
    expect(seen.length - before).toBe(4)
    expect(result.kind).toBe("transient")
    expect(result.meta).toMatchObject({ httpStatus: 502, errorCode: null, attempts: 4 })
    expect(result.kind === "transient" && result.reason).toBe('HTTP 502: HTML page "502 Bad Gateway"')
  })

  test("getPgcr: a throttle is returned for the limiter, not retried", async () => {
    const before = seen.length
    const result = await client.getPgcr(4n)
    expect(seen.length - before).toBe(1)
    expect(result).toMatchObject({ kind: "throttled", waitMs: 10_000, meta: { httpStatus: 429, errorCode: 51, attempts: 1 } })
  })

  test("getPgcr with malformedRetry sends malformed_retry from the first request", async () => {
    await client.getPgcr(7315438924n, { malformedRetry: 2 })
    expect(new URL(lastSeen().url).search).toBe("?malformed_retry=2")
  })

  test("www endpoints build Bungie's paths and decode 64-bit numbers as strings", async () => {
    const cases: [() => Promise<{ kind: string; value?: unknown }>, string][] = [
      [() => client.getManifest(), "/Platform/Destiny2/Manifest/"],
      [
        () => client.getProfile(3, 4611686018467238754n, [100, 200]),
        "/Platform/Destiny2/3/Profile/4611686018467238754/?components=100,200",
      ],
      [
        () => client.getCharacter(3, 4611686018467238754n, 2305843009301648414n, [200]),
        "/Platform/Destiny2/3/Profile/4611686018467238754/Character/2305843009301648414/?components=200",
      ],
      [
        () => client.getActivityHistory(3, 4611686018467238754n, 2305843009301648414n, { mode: 4, count: 250, page: 2 }),
        "/Platform/Destiny2/3/Account/4611686018467238754/Character/2305843009301648414/Stats/Activities/?mode=4&count=250&page=2",
      ],
      [() => client.getActivityHistory(3, 1n, 2n), "/Platform/Destiny2/3/Account/1/Character/2/Stats/Activities/"],
      [() => client.getGroupsForMember(3, 4611686018467238754n), "/Platform/GroupV2/User/3/4611686018467238754/0/1/"],
      [() => client.getGroup(4384140n), "/Platform/GroupV2/4384140/"],
      [() => client.getMembersOfGroup(4384140n, 2), "/Platform/GroupV2/4384140/Members/?currentpage=2"],
      [
        () => client.getLinkedProfiles(-1, 4611686018467238754n),
        "/Platform/Destiny2/-1/Profile/4611686018467238754/LinkedProfiles/?getAllMemberships=true",
      ],
    ]
    for (const [run, expectedPath] of cases) {
      const result = await run()
      expect(result.kind).toBe("ok")
      expect(result.value).toEqual({ path: expectedPath, big: "4611686018467238754" })
      expect(lastSeen().host).toBe("www")
    }
  })

  test("getSettings reads the www Settings endpoint", async () => {
    const result = await client.getSettings()
    expect(result.kind === "ok" && result.value.systems.Destiny2?.enabled).toBe(true)
  })

  test("network failure after all attempts is transient, status null, key not in the reason", async () => {
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") })
    const port = closed.port
    closed.stop(true)
    const offline = createBungieClient({
      baseUrl: `http://127.0.0.1:${port}`,
      wwwBaseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 500,
      maxAttempts: 2,
      sleep: async () => {},
    })
    const result = await offline.getPgcr(5n)
    offline.close()
    expect(result.kind).toBe("transient")
    expect(result.meta).toMatchObject({ httpStatus: null, errorCode: null, attempts: 2 })
    expect(result.kind === "transient" && result.reason).toMatch(/^network refused/)
    expect(JSON.stringify(result)).not.toContain(API_KEY)
  })

  test("invalid ids are caller bugs, thrown before any request", () => {
    expect(() => client.getPgcr(-1n)).toThrow(TypeError)
    expect(() => client.getProfile(3, 1n, [])).toThrow(TypeError)
  })
})

describe("platformRoot", () => {
  test("normalizes origins with or without /Platform", () => {
    expect(platformRoot("https://stats.bungie.net")).toBe("https://stats.bungie.net/Platform")
    expect(platformRoot("https://stats.bungie.net/")).toBe("https://stats.bungie.net/Platform")
    expect(platformRoot("https://www.bungie.net/Platform/")).toBe("https://www.bungie.net/Platform")
  })

  test("User-Agent names the app, version and contact", () => {
    expect(buildUserAgent("ops@example.invalid")).toMatch(/^RaidHub-Services\/\d+\.\d+\.\d+ \(\+ops@example\.invalid\)$/)
  })
})

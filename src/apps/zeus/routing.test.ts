import { describe, expect, test } from "bun:test"
import { acceptsEncoding, buildDownstreamHeaders, buildUpstreamHeaders, mustDecode, UPSTREAM_ACCEPT_ENCODING } from "./headers.ts"
import { hostRoot, routeRequest } from "./routing.ts"

const BASES = { stats: "https://stats.bungie.net", www: "https://www.bungie.net/Platform/" }
const KEY = "zeus-routing-test-key-0123456789"

describe("routing", () => {
  test("PGCR paths go to the stats host, everything else under /Platform and /common to www", () => {
    expect(routeRequest("/Platform/Destiny2/Stats/PostGameCarnageReport/15780000000/?retry=1", BASES)).toEqual({
      endpointType: "stats",
      url: "https://stats.bungie.net/Platform/Destiny2/Stats/PostGameCarnageReport/15780000000/?retry=1",
      isSettings: false,
    })
    expect(routeRequest("/platform/destiny2/stats/postgamecarnagereport/1/", BASES)?.endpointType).toBe("stats")
    expect(routeRequest("/Platform/Destiny2/3/Profile/4611686018467238754/?components=100", BASES)).toEqual({
      endpointType: "www",
      url: "https://www.bungie.net/Platform/Destiny2/3/Profile/4611686018467238754/?components=100",
      isSettings: false,
    })
    expect(routeRequest("/common/destiny2_content/sqlite/en/world.content", BASES)?.url).toBe(
      "https://www.bungie.net/common/destiny2_content/sqlite/en/world.content",
    )
    expect(routeRequest("/Platform/Settings/", BASES)?.isSettings).toBe(true)
    expect(routeRequest("/Platform/Settings", BASES)?.isSettings).toBe(true)
    expect(routeRequest("/Platform/Settings/?x=1", BASES)?.isSettings).toBe(true)
  })

  test("anything that is not a Bungie path, or tries to climb out of one, is not forwarded", () => {
    for (const path of [
      "/",
      "/healthz",
      "/metrics",
      "/admin",
      "/Platform",
      "/Platform/../admin",
      "/Platform/a/%2e%2e%2fx%2F",
      "/common/..\\x",
    ]) {
      expect(routeRequest(path, BASES)).toBeNull()
    }
  })

  test("base URLs with or without /Platform or a trailing slash", () => {
    expect(hostRoot("https://stats.bungie.net/")).toBe("https://stats.bungie.net")
    expect(hostRoot("http://127.0.0.1:5000/Platform")).toBe("http://127.0.0.1:5000")
    expect(hostRoot("http://proxy.local/bungie/")).toBe("http://proxy.local/bungie")
  })
})

describe("headers to Bungie", () => {
  test("the caller's key, agent, address and tags are replaced or dropped; end-to-end headers pass", () => {
    const inbound = new Headers({
      "X-API-Key": "callers-own-key",
      "User-Agent": "hermes/1",
      "X-Forwarded-For": "10.9.8.7",
      "X-Forwarded-Proto": "http",
      Forwarded: "for=10.9.8.7",
      "X-Real-IP": "10.9.8.7",
      Via: "1.1 somewhere",
      Host: "zeus:7777",
      Connection: "keep-alive, X-Private",
      "X-Private": "hop only",
      "Keep-Alive": "timeout=5",
      "Accept-Encoding": "identity",
      Cookie: "bungled=1",
      "x-raidhub-client": "hermes/player_crawl",
      "x-raidhub-deadline-ms": "5000",
      Accept: "application/json",
      Authorization: "Bearer user-token",
      "If-None-Match": '"abc"',
    })
    expect(buildUpstreamHeaders(inbound, { apiKey: KEY, userAgent: "RaidHub-Services/0.1.0 (+https://raidhub.io)" })).toEqual({
      accept: "application/json",
      authorization: "Bearer user-token",
      "if-none-match": '"abc"',
      "x-api-key": KEY,
      "user-agent": "RaidHub-Services/0.1.0 (+https://raidhub.io)",
      "accept-encoding": UPSTREAM_ACCEPT_ENCODING,
    })
  })
})

describe("headers to the caller", () => {
  const upstream = {
    "content-type": "application/json; charset=utf-8",
    "content-encoding": "gzip",
    "content-length": "1234",
    "cache-control": "private",
    "x-bungieapi-ms": "12",
    "x-selfurl": "https://www.bungie.net/Platform/Settings/",
    "set-cookie": ["bungled=1", "bungleatk=2"],
    "transfer-encoding": "chunked",
    connection: "keep-alive",
    server: "Microsoft-IIS",
    "strict-transport-security": "max-age=1",
    "x-echo": `key=${KEY}`,
    "x-zeus-local": "spoofed",
  }

  test("content type, cache headers and Bungie's x- headers pass; cookies, hop-by-hop, server and the key do not", () => {
    const headers = buildDownstreamHeaders(upstream, { decoded: false, apiKey: KEY })
    expect(Object.fromEntries(headers)).toEqual({
      "content-type": "application/json; charset=utf-8",
      "content-encoding": "gzip",
      "content-length": "1234",
      "cache-control": "private",
      "x-bungieapi-ms": "12",
      "x-selfurl": "https://www.bungie.net/Platform/Settings/",
    })
  })

  test("a body decoded on the way loses Content-Encoding and Content-Length", () => {
    const headers = buildDownstreamHeaders(upstream, { decoded: true, apiKey: KEY })
    expect(headers.has("content-encoding")).toBe(false)
    expect(headers.has("content-length")).toBe(false)
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8")
  })

  test("decode only what the caller cannot take", () => {
    expect(mustDecode("gzip", "gzip, deflate, br")).toBe(false)
    expect(mustDecode("gzip", null)).toBe(true)
    expect(mustDecode("br", "gzip, deflate")).toBe(true)
    expect(mustDecode("br", "gzip;q=1, br;q=0")).toBe(true)
    expect(mustDecode("gzip", "*")).toBe(false)
    expect(mustDecode(undefined, null)).toBe(false)
    expect(mustDecode("identity", null)).toBe(false)
    // An encoding zeus cannot decode passes as it is.
    expect(mustDecode("zstd", null)).toBe(false)
    expect(acceptsEncoding("deflate, *;q=0", "gzip")).toBe(false)
  })
})

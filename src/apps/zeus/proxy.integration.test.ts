/**
 * Zeus as a proxy, against two scripted upstreams standing in for Bungie's hosts (they echo
 * what they receive, which the simulator does not): routing, the headers each way, bodies
 * decoded only for callers that need it, keep-alive, refusals, and the API key staying inside.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { gunzipSync, gzipSync } from "node:zlib"
import { parseNetworks } from "./networks.ts"
import type { ZeusHandle } from "./server.ts"
import { captureLog, getRaw, startTestZeus, TEST_API_KEY } from "./test-helpers.ts"

interface Seen {
  host: "stats" | "www"
  path: string
  peer: string
  port: number
  headers: Record<string, string>
}

const seen: Seen[] = []
const BIG = JSON.stringify({
  ErrorCode: 1,
  ThrottleSeconds: 0,
  ErrorStatus: "Success",
  Message: "Ok",
  MessageData: {},
  Response: { x: "y".repeat(5_000) },
})

function createUpstream(host: "stats" | "www") {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request, server) {
      const url = new URL(request.url)
      const ip = server.requestIP(request)!
      seen.push({ host, path: url.pathname + url.search, peer: ip.address, port: ip.port, headers: Object.fromEntries(request.headers) })
      if (url.pathname.endsWith("/Gzip/")) {
        return new Response(gzipSync(BIG), { headers: { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip" } })
      }
      if (url.pathname.endsWith("/Leaky/")) {
        return Response.json(
          { ErrorCode: 1, Response: {} },
          {
            headers: {
              "x-echo": `key ${request.headers.get("x-api-key")}`,
              "set-cookie": "bungled=1",
              "cache-control": "max-age=30",
              "x-selfurl": "u",
            },
          },
        )
      }
      return Response.json({
        ErrorCode: 1,
        ThrottleSeconds: 0,
        ErrorStatus: "Success",
        Message: "Ok",
        MessageData: {},
        Response: { host, path: url.pathname },
      })
    },
  })
}

let stats: ReturnType<typeof Bun.serve>
let www: ReturnType<typeof Bun.serve>
let zeus: ZeusHandle
const captured = captureLog()

beforeAll(async () => {
  stats = createUpstream("stats")
  www = createUpstream("www")
  zeus = await startTestZeus(`http://127.0.0.1:${stats.port}`, {
    wwwBaseUrl: `http://127.0.0.1:${www.port}/Platform/`,
    log: captured.log,
    contact: "ops@raidhub.example",
    // These tests are about the proxy, not the rate: lift the per-address ceiling.
    limiterOptions: { initialCeiling: 1_000, maxCeiling: 1_000 },
  })
})

afterAll(async () => {
  await zeus.stop()
  stats.stop(true)
  www.stop(true)
})

describe("forwarding", () => {
  test("PGCR paths go to the stats host, others to www, with zeus's key and User-Agent; caller identity and tags stay behind", async () => {
    seen.length = 0
    const pgcr = await getRaw(`${zeus.url}/Platform/Destiny2/Stats/PostGameCarnageReport/15780000000/?retry=2`, {
      "x-api-key": "callers-key",
      "user-agent": "hermes-test/1",
      "x-forwarded-for": "203.0.113.9",
      "x-raidhub-client": "hermes/player_crawl",
    })
    const profile = await getRaw(`${zeus.url}/Platform/Destiny2/3/Profile/4611686018467238754/?components=100`)
    expect(pgcr.status).toBe(200)
    expect(JSON.parse(pgcr.body.toString()).Response).toEqual({
      host: "stats",
      path: "/Platform/Destiny2/Stats/PostGameCarnageReport/15780000000/",
    })
    expect(JSON.parse(profile.body.toString()).Response.host).toBe("www")
    expect(seen.map((s) => [s.host, s.path])).toEqual([
      ["stats", "/Platform/Destiny2/Stats/PostGameCarnageReport/15780000000/?retry=2"],
      ["www", "/Platform/Destiny2/3/Profile/4611686018467238754/?components=100"],
    ])
    const sent = seen[0]!.headers
    expect(sent["x-api-key"]).toBe(TEST_API_KEY)
    expect(sent["user-agent"]).toMatch(/^RaidHub-Services\/\S+ \(\+ops@raidhub\.example\)$/)
    expect(sent["x-forwarded-for"]).toBeUndefined()
    expect(sent["x-raidhub-client"]).toBeUndefined()
    expect(sent["accept-encoding"]).toContain("gzip")
    // Sent from the configured source addresses, not the caller's.
    expect(seen.map((s) => s.peer).every((p) => p === "127.0.0.2" || p === "127.0.0.3")).toBe(true)
    expect(pgcr.headers["x-zeus-address"]).toMatch(/^[01]$/)
    expect(pgcr.headers["x-zeus-wait-ms"]).toMatch(/^\d+$/)
  })

  test("a compressed body passes through to a caller that accepts it, and is decoded (without its encoding headers) for one that does not", async () => {
    const accepting = await getRaw(`${zeus.url}/Platform/Gzip/`, { "accept-encoding": "gzip" })
    expect(accepting.headers["content-encoding"]).toBe("gzip")
    expect(gunzipSync(accepting.body).toString()).toBe(BIG)
    const plain = await getRaw(`${zeus.url}/Platform/Gzip/`)
    expect(plain.headers["content-encoding"]).toBeUndefined()
    expect(plain.headers["content-type"]).toBe("application/json; charset=utf-8")
    expect(plain.body.toString()).toBe(BIG)
  })

  test("cache and Bungie x- headers come back; cookies and any header carrying the key do not", async () => {
    const answer = await getRaw(`${zeus.url}/Platform/Leaky/`)
    expect(answer.status).toBe(200)
    expect(answer.headers["cache-control"]).toBe("max-age=30")
    expect(answer.headers["x-selfurl"]).toBe("u")
    expect(answer.headers["set-cookie"]).toBeUndefined()
    expect(answer.headers["x-echo"]).toBeUndefined()
  })

  test("non-Bungie paths and unsupported methods are refused without reaching Bungie", async () => {
    seen.length = 0
    expect((await getRaw(`${zeus.url}/admin`)).status).toBe(404)
    expect((await getRaw(`${zeus.url}/Platform/../admin`)).status).toBe(404)
    const put = await fetch(`${zeus.url}/Platform/Settings/`, { method: "PUT", body: "x" })
    expect(put.status).toBe(405)
    expect(seen).toHaveLength(0)
  })
})

describe("keep-alive", () => {
  test("100 requests from two source addresses use a handful of upstream connections", async () => {
    seen.length = 0
    for (let i = 0; i < 100; i++) await getRaw(`${zeus.url}/Platform/Destiny2/Manifest/`)
    const connections = new Set(seen.map((s) => `${s.peer}:${s.port}`))
    expect(seen).toHaveLength(100)
    expect(connections.size).toBeLessThanOrEqual(4)
  })

  test("200 requests, 10 at a time, use far fewer than 200 connections", async () => {
    seen.length = 0
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 10 }, () => getRaw(`${zeus.url}/Platform/Destiny2/Manifest/`)))
    }
    const connections = new Set(seen.map((s) => `${s.peer}:${s.port}`))
    expect(seen).toHaveLength(200)
    expect(connections.size).toBeLessThanOrEqual(24)
  })
})

describe("who may use zeus", () => {
  test("a caller outside the allowed networks gets 403 and Bungie sees nothing; an allowed one is served", async () => {
    const strict = await startTestZeus(`http://127.0.0.1:${stats.port}`, {
      listenAddress: "0.0.0.0",
      allowedNetworks: parseNetworks("127.0.0.1/32"),
      log: captured.log,
    })
    try {
      seen.length = 0
      const refused = await getRaw(`http://127.0.0.1:${strict.port}/Platform/Destiny2/Manifest/`, {}, "127.0.0.9")
      expect(refused.status).toBe(403)
      expect(refused.body.toString()).toContain("127.0.0.9 is not in ZEUS_ALLOWED_NETWORKS")
      expect(seen).toHaveLength(0)
      const served = await getRaw(`http://127.0.0.1:${strict.port}/Platform/Destiny2/Manifest/`, {}, "127.0.0.1")
      expect(served.status).toBe(200)
      const metrics = await (await fetch(`${strict.metricsUrl}/metrics`)).text()
      expect(metrics).toContain('zeus_refused_requests_total{reason="network"} 1')
    } finally {
      await strict.stop()
    }
  })
})

describe("the API key stays inside", () => {
  test("it never appears in logs, metrics, health or answers", async () => {
    // Exercise the paths that log: refusals, upstream failures, throttles relayed, local answers.
    const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") })
    const deadUrl = `http://127.0.0.1:${dead.port}`
    dead.stop(true)
    const broken = await startTestZeus(deadUrl, { log: captured.log, queueDeadlineMs: 200 })
    const bodies: string[] = []
    try {
      for (const path of ["/Platform/Destiny2/Manifest/", "/Platform/Settings/", "/nope"]) {
        const answer = await getRaw(`${broken.url}${path}`)
        bodies.push(JSON.stringify(answer.headers), answer.body.toString())
      }
      for (const path of ["/Platform/Leaky/", "/Platform/Gzip/", "/Platform/Destiny2/Stats/PostGameCarnageReport/1/"]) {
        const answer = await getRaw(`${zeus.url}${path}`, { "x-raidhub-client": "leak-check" })
        bodies.push(JSON.stringify(answer.headers), answer.body.toString())
      }
      bodies.push(await (await fetch(`${broken.metricsUrl}/metrics`)).text(), await (await fetch(`${zeus.metricsUrl}/metrics`)).text())
      bodies.push(await (await fetch(`${zeus.metricsUrl}/healthz`)).text(), await (await fetch(`${zeus.url}/healthz`)).text())
    } finally {
      await broken.stop()
    }
    expect(captured.lines.some((l) => l.includes("zeus.upstream_error"))).toBe(true)
    for (const text of [...captured.lines, ...bodies]) expect(text).not.toContain(TEST_API_KEY)
  })
})

describe("shutdown", () => {
  test("stop() answers what still waits with ZeusShuttingDown and lets the request in flight finish", async () => {
    // One address at 1 req/s with a one-token burst: of 5 requests, 1 goes at once, 4 wait.
    const slow = await startTestZeus(`http://127.0.0.1:${stats.port}`, {
      sourceAddresses: ["127.0.0.7"],
      limiterOptions: { initialCeiling: 1, maxCeiling: 1, minCeiling: 0.5, burstSeconds: 1 },
    })
    const answers = Array.from({ length: 5 }, () => getRaw(`${slow.url}/Platform/Destiny2/Manifest/`))
    await Bun.sleep(100)
    await slow.stop()
    const settled = await Promise.all(answers)
    const statuses = settled.map((a) => a.status).sort()
    expect(statuses[0]).toBe(200)
    const local = settled.filter((a) => a.headers["x-zeus-local"] === "ZeusShuttingDown")
    expect(local.length).toBeGreaterThanOrEqual(3)
    for (const a of local) expect(JSON.parse(a.body.toString())).toMatchObject({ ErrorStatus: "ZeusShuttingDown", ErrorCode: 0 })
  })
})

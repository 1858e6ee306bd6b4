import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { gzipSync } from "node:zlib"
import { createTransport, type TransportEngine } from "./transport.ts"
import type { TransportOutcome } from "./transport-types.ts"

const API_KEY = "test-key-0123456789abcdef"
const USER_AGENT = "RaidHub-Services/0.0.0-test (+https://example.invalid/contact)"

let server: ReturnType<typeof Bun.serve>
let base = ""

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request, srv) {
      const url = new URL(request.url)
      const ip = srv.requestIP(request)?.address ?? null
      switch (url.pathname) {
        case "/echo":
          return Response.json(
            {
              ip,
              userAgent: request.headers.get("user-agent"),
              keyMatches: request.headers.get("x-api-key") === API_KEY,
              query: url.search,
            },
            { headers: { "X-Custom": "yes" } },
          )
        case "/slow":
          await Bun.sleep(3_000)
          return new Response("late")
        case "/stalled-body":
          return new Response(
            new ReadableStream({
              async start(controller) {
                controller.enqueue(new TextEncoder().encode('{"ErrorCode":1,'))
                await Bun.sleep(3_000)
                controller.close()
              },
            }),
            { headers: { "Content-Type": "application/json" } },
          )
        case "/gzip": {
          const body = JSON.stringify({ ErrorCode: 1, Response: { big: "x".repeat(10_000) } })
          if (!(request.headers.get("accept-encoding") ?? "").includes("gzip")) return new Response(body)
          return new Response(gzipSync(body), { headers: { "Content-Encoding": "gzip", "Content-Type": "application/json" } })
        }
        case "/bad-gateway":
          return new Response("<html><head><title>502 Bad Gateway</title></head></html>", {
            status: 502,
            headers: { "Content-Type": "text/html" },
          })
        default:
          return new Response("nope", { status: 404 })
      }
    },
  })
  base = `http://127.0.0.1:${server.port}`
})

afterAll(() => {
  server.stop(true)
})

function expectResponse(outcome: TransportOutcome) {
  if (outcome.kind !== "response") throw new Error(`expected a response, got ${outcome.code}: ${outcome.message}`)
  return outcome
}

for (const engine of ["fetch", "node"] as TransportEngine[]) {
  describe(`transport (${engine})`, () => {
    const transport = createTransport({ apiKey: API_KEY, userAgent: USER_AGENT, timeoutMs: 2_000, engine })
    afterAll(() => transport.close())

    test("sends X-API-Key and User-Agent; returns status, lower-cased headers, bytes, latency", async () => {
      const outcome = expectResponse(await transport.get(`${base}/echo?retry=2`))
      expect(outcome.status).toBe(200)
      expect(outcome.headers["x-custom"]).toBe("yes")
      expect(outcome.latencyMs).toBeGreaterThan(0)
      const echoed = JSON.parse(new TextDecoder().decode(outcome.body))
      expect(echoed).toEqual({ ip: "127.0.0.1", userAgent: USER_AGENT, keyMatches: true, query: "?retry=2" })
    })

    test("passes non-2xx responses through untouched (classification is not its job)", async () => {
      const outcome = expectResponse(await transport.get(`${base}/bad-gateway`))
      expect(outcome.status).toBe(502)
      expect(new TextDecoder().decode(outcome.body)).toContain("502 Bad Gateway")
    })

    test("decompresses gzip bodies", async () => {
      const outcome = expectResponse(await transport.get(`${base}/gzip`))
      expect(JSON.parse(new TextDecoder().decode(outcome.body)).Response.big.length).toBe(10_000)
    })

    test("serves sequential requests on one transport (keep-alive pool)", async () => {
      for (let i = 0; i < 5; i++) expectResponse(await transport.get(`${base}/echo`))
    })

    test("times out waiting for headers, as a value", async () => {
      const quick = createTransport({ apiKey: API_KEY, userAgent: USER_AGENT, timeoutMs: 150, engine })
      const outcome = await quick.get(`${base}/slow`)
      quick.close()
      expect(outcome.kind).toBe("networkError")
      if (outcome.kind !== "networkError") return
      expect(outcome.code).toBe("timeout")
      expect(outcome.latencyMs).toBeGreaterThanOrEqual(140)
      expect(outcome.latencyMs).toBeLessThan(2_000)
      expect(outcome.message).not.toContain(API_KEY)
    })

    test("times out on a stalled body too", async () => {
      const quick = createTransport({ apiKey: API_KEY, userAgent: USER_AGENT, timeoutMs: 200, engine })
      const outcome = await quick.get(`${base}/stalled-body`)
      quick.close()
      expect(outcome.kind === "networkError" && outcome.code).toBe("timeout")
    })

    test("connection refused is a value, without the key in its message", async () => {
      const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") })
      const port = closed.port
      closed.stop(true)
      const outcome = await transport.get(`http://127.0.0.1:${port}/x`)
      expect(outcome.kind).toBe("networkError")
      if (outcome.kind !== "networkError") return
      expect(outcome.code).toBe("refused")
      expect(outcome.message).not.toContain(API_KEY)
    })

    test("an unresolvable host is a value", async () => {
      const outcome = await transport.get("http://no-such-host.invalid/x")
      expect(outcome.kind).toBe("networkError")
      if (outcome.kind === "networkError") expect(["dns", "other"]).toContain(outcome.code)
    })
  })
}

describe("source address binding", () => {
  test("node engine binds 127.0.0.2, as seen by the server's requestIP", async () => {
    const transport = createTransport({ apiKey: API_KEY, userAgent: USER_AGENT, timeoutMs: 2_000, sourceAddress: "127.0.0.2" })
    expect(transport.engine).toBe("node")
    const first = expectResponse(await transport.get(`${base}/echo`))
    const second = expectResponse(await transport.get(`${base}/echo`))
    transport.close()
    expect(JSON.parse(new TextDecoder().decode(first.body)).ip).toBe("127.0.0.2")
    expect(JSON.parse(new TextDecoder().decode(second.body)).ip).toBe("127.0.0.2")
  })

  test("asking the fetch engine for a source address is a programming error", () => {
    expect(() =>
      createTransport({ apiKey: API_KEY, userAgent: USER_AGENT, timeoutMs: 1_000, sourceAddress: "127.0.0.2", engine: "fetch" }),
    ).toThrow(/cannot bind a source address/)
  })

  test("Bun fetch silently ignores a localAddress init key (why the node engine exists)", async () => {
    const response = await fetch(`${base}/echo`, { localAddress: "127.0.0.2" } as RequestInit)
    expect(((await response.json()) as { ip: string }).ip).toBe("127.0.0.1")
  })
})

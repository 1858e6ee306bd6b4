import { expect, test } from "bun:test"
import { Registry } from "prom-client"
import { registerMetrics } from "./metric-table.ts"
import { serveMetrics } from "./serve-metrics.ts"

const TABLE = { share: { kind: "gauge", name: "test_404_share", help: "share", labels: [] } } as const

test("serveMetrics exposes /metrics and /healthz on an ephemeral port", async () => {
  const registry = new Registry()
  registerMetrics(registry, TABLE).share.set(0.025)
  let healthy = true
  const server = serveMetrics({ port: 0, hostname: "127.0.0.1", registry, health: () => ({ ok: healthy, lowWater: "17091200569" }) })
  try {
    expect(server.port).toBeGreaterThan(0)
    const metrics = await fetch(`${server.url}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get("content-type")).toContain("text/plain")
    expect(await metrics.text()).toContain("test_404_share 0.025")
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ ok: true, lowWater: "17091200569" })
    healthy = false
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503)
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
  } finally {
    await server.stop()
  }
})

test("an app's extra routes answer by exact path; /metrics stays the registry's", async () => {
  const registry = new Registry()
  registerMetrics(registry, TABLE).share.set(0.5)
  const server = serveMetrics({
    port: 0,
    hostname: "127.0.0.1",
    registry,
    health: () => ({ ok: true }),
    routes: { "/status": () => Response.json({ lag: 31 }), "/metrics": () => new Response("hijacked") },
  })
  try {
    expect(await (await fetch(`${server.url}/status`)).json()).toEqual({ lag: 31 })
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain("test_404_share 0.5")
    expect((await fetch(`${server.url}/status/x`)).status).toBe(404)
    expect((await fetch(`${server.url}/toString`)).status).toBe(404)
  } finally {
    await server.stop()
  }
})

import { afterAll, expect, test } from "bun:test"
import { serveFleetFront } from "./front-server.ts"

function rangeServer(name: string) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname
      if (path === "/metrics") return new Response(`atlas_range{name="${name}"} 1\n`)
      if (path === "/healthz") return Response.json({ ok: true, range: name })
      if (path === "/status") return Response.json({ range: name })
      return new Response("not found", { status: 404 })
    },
  })
}

const first = rangeServer("first")
const second = rangeServer("second")
let current: string | null = `http://127.0.0.1:${first.port}`
const front = serveFleetFront({ port: 0, current: () => current, fleetStatus: () => ({ leader: true }) })
afterAll(async () => {
  await front.stop()
  first.stop(true)
  second.stop(true)
})

const get = (path: string) => fetch(`${front.url}${path}`)

test("one port across ranges: forwards to the range crawling now, answers from the last scrape between ranges", async () => {
  expect(await (await get("/metrics")).text()).toContain('name="first"')
  expect(await (await get("/status")).json()).toEqual({ range: "first" })

  current = null // between two ranges
  const between = await get("/metrics")
  expect(between.status).toBe(200)
  expect(await between.text()).toContain('name="first"')
  expect(await (await get("/status")).json()).toEqual({ betweenRanges: true, fleet: { leader: true } })
  expect(await (await get("/healthz")).json()).toEqual({ ok: true, betweenRanges: true, fleet: { leader: true } })

  current = `http://127.0.0.1:${second.port}`
  expect(await (await get("/metrics")).text()).toContain('name="second"')
  expect(await (await get("/healthz")).json()).toEqual({ ok: true, range: "second", fleet: { leader: true } })
})

test("a range server that went away mid-hand-over is answered as between ranges, not as an error", async () => {
  const gone = rangeServer("gone")
  current = `http://127.0.0.1:${gone.port}`
  expect(await (await get("/metrics")).text()).toContain('name="gone"')
  gone.stop(true)
  const answer = await get("/metrics")
  expect(answer.status).toBe(200)
  expect(await answer.text()).toContain('name="gone"')
  expect((await get("/healthz")).status).toBe(200)
})

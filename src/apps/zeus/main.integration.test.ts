/**
 * `bun run zeus` as a process: starts from its defaults plus a port, forwards, stops gracefully
 * on SIGTERM; refuses to start without a key or on a busy port (one line, exit 2).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { TEST_API_KEY } from "./test-helpers.ts"

const MAIN = new URL("./main.ts", import.meta.url).pathname

let sim: SimHandle
beforeAll(async () => {
  sim = await startSim({ seed: 31, scenario: "calm", port: 0, latency: 0 })
})
afterAll(async () => {
  await sim?.stop()
})

function spawnZeus(args: string[], env: Record<string, string>) {
  return Bun.spawn([process.execPath, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdout: "pipe",
    stderr: "pipe",
  })
}

/** Reads stderr lines until one satisfies `match`; returns it and everything read so far. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  match: (line: string) => boolean,
): Promise<{ line: string | null; all: string }> {
  const reader = stream.getReader()
  let all = ""
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return { line: null, all }
      all += new TextDecoder().decode(value)
      const found = all.split("\n").find(match)
      if (found !== undefined) return { line: found, all }
    }
  } finally {
    reader.releaseLock()
  }
}

describe("bun run zeus", () => {
  test("starts, forwards with its key, and stops gracefully on SIGTERM", async () => {
    const child = spawnZeus(["--port", "0", "--metrics-port", "0", "--source-addresses", "127.0.0.6"], {
      BUNGIE_API_KEY: TEST_API_KEY,
      BUNGIE_BASE_URL: sim.url,
    })
    const { line } = await readUntil(child.stderr, (l) => l.includes('"zeus.listening"'))
    expect(line).not.toBeNull()
    const { url } = JSON.parse(line!) as { url: string }
    const pgcr = `${url}/Platform/Destiny2/Stats/PostGameCarnageReport/${BigInt(sim.truth.frontier().startId) - 300n}/`
    const response = await fetch(pgcr, { headers: { "x-raidhub-client": "main-test" } })
    expect([200, 404]).toContain(response.status)
    expect(sim.truth.stats().sources["127.0.0.6"]?.requests).toBe(1)
    child.kill("SIGTERM")
    const rest = await readUntil(child.stderr, (l) => l.includes('"zeus.stopped"'))
    expect(await child.exited).toBe(0)
    expect(rest.line).not.toBeNull()
    expect(line! + rest.all).not.toContain(TEST_API_KEY)
  }, 20_000)

  test("without BUNGIE_API_KEY: one line naming it, exit 2", async () => {
    const child = spawnZeus(["--port", "0", "--metrics-port", "0"], { BUNGIE_BASE_URL: sim.url })
    expect(await child.exited).toBe(2)
    const err = await new Response(child.stderr).text()
    expect(err.trim().split("\n")).toHaveLength(1)
    expect(err).toContain("BUNGIE_API_KEY")
  })

  test("a busy port: one line naming the settings, exit 2", async () => {
    const busy = Bun.serve({ port: 0, hostname: "0.0.0.0", fetch: () => new Response("") })
    try {
      const child = spawnZeus(["--port", String(busy.port), "--metrics-port", "0"], {
        BUNGIE_API_KEY: TEST_API_KEY,
        BUNGIE_BASE_URL: sim.url,
      })
      expect(await child.exited).toBe(2)
      const err = await new Response(child.stderr).text()
      expect(err.trim().split("\n")).toHaveLength(1)
      expect(err).toContain("ZEUS_PORT")
    } finally {
      busy.stop(true)
    }
  })

  test("a bad flag value: the key and value named, exit 2", async () => {
    const child = spawnZeus(["--allowed-networks", "10.0.0.0/99"], { BUNGIE_API_KEY: TEST_API_KEY })
    expect(await child.exited).toBe(2)
    const err = await new Response(child.stderr).text()
    expect(err).toContain('ZEUS_ALLOWED_NETWORKS="10.0.0.0/99": bad prefix length')
  })
})

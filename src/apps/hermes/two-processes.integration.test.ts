/**
 * hermes scales by running more processes against one RabbitMQ and Postgres (competing
 * consumers): two `bun run hermes` processes on one queue process every message once between
 * them, both take part, and their store transactions run side by side (store-lock.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { createHarness, type Harness, pickIds } from "../../queues/testing/harness.ts"

const MAIN = join(import.meta.dir, "main.ts")

let h: Harness
const dataDirs: string[] = []
beforeAll(async () => {
  h = await createHarness()
})
afterAll(async () => {
  await h?.close()
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
})

interface Child {
  process: Subprocess<"ignore", "ignore", "pipe">
  metricsUrl: Promise<string>
  stderr: string[]
}

function spawnHermes(queue: string): Child {
  const dataDir = mkdtempSync(join(tmpdir(), "hermes-two-"))
  dataDirs.push(dataDir)
  const child = Bun.spawn(["bun", MAIN, "--queue", queue, "--metrics-port", "0", "--no-relays"], {
    env: {
      ...process.env,
      DATABASE_URL: h.db.url,
      RABBITMQ_URL: h.vhost.url,
      BUNGIE_BASE_URL: h.sim.url,
      BUNGIE_API_KEY: "hermes-two-processes-test",
      DATA_DIR: dataDir,
      CLICKHOUSE_URL: "",
      CLICKHOUSE_DATABASE: "hermes_two",
      LOG_LEVEL: "info",
      HERMES_SCALE_INTERVAL_MS: "1000",
    },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  })
  const stderr: string[] = []
  // The metrics URL is in the hermes.metrics line; the rest is kept for a failure report.
  const metricsUrl = (async () => {
    const decoder = new TextDecoder()
    let buffer = ""
    let url: string | null = null
    for await (const chunk of child.stderr) {
      buffer += decoder.decode(chunk)
      const lines = buffer.split("\n")
      buffer = lines.pop() ?? ""
      for (const line of lines) {
        stderr.push(line)
        const match = line.includes('"hermes.metrics"') ? /"url":"(http:[^"]+)\/metrics"/.exec(line) : null
        if (match && url === null) url = match[1]!
      }
      if (url !== null) break
    }
    if (url === null) throw new Error(`hermes printed no metrics URL:\n${stderr.slice(-10).join("\n")}`)
    return url
  })()
  return { process: child, metricsUrl, stderr }
}

async function processed(child: Child, queue: string): Promise<number> {
  const text = await (await fetch(`${await child.metricsUrl}/metrics`)).text()
  let n = 0
  for (const line of text.split("\n")) {
    if (line.startsWith("queue_messages_processed_total{") && line.includes(`queue_name="${queue}"`)) n += Number(line.split(" ").pop())
  }
  return n
}

const count = async (sql: string) => Number((await h.db.sql.unsafe(sql))[0]!.n)

describe("two hermes processes", () => {
  test("one queue, two processes: every message processed once, by both", async () => {
    const ids = pickIds(h.sim, 8_000).raids.slice(0, 300)
    expect(ids.length).toBe(300)
    const children = [spawnHermes("pgcr_exists"), spawnHermes("pgcr_exists")]
    try {
      await Promise.all(children.map((c) => c.metricsUrl))
      for (const id of ids) await h.publish("pgcr_exists", id.toString(), "text/plain")
      await waitUntil(async () => (await count("select count(*) as n from core.instance")) === 300, "all 300 stored", 120_000, 50)
      await waitUntil(async () => (await h.depth("pgcr_exists")) === 0, "the queue empty")
      const counts = await Promise.all(children.map((c) => processed(c, "pgcr_exists")))
      // Competing consumers: each took part, and together they settled each message once.
      expect(counts[0]).toBeGreaterThan(0)
      expect(counts[1]).toBeGreaterThan(0)
      expect(counts[0]! + counts[1]!).toBe(300)
      for (const c of children) c.process.kill("SIGTERM")
      expect(await Promise.all(children.map((c) => c.process.exited))).toEqual([0, 0])
    } finally {
      for (const c of children) c.process.kill("SIGKILL")
    }
    const stored = await h.db.sql`select instance_id::text as id from core.instance order by 1`
    expect(stored.map((r) => r.id)).toEqual(ids.map(String).sort())
    expect(await count("select count(*) as n from crawl.outbox where topic = 'queue.pgcr_cheat_check'")).toBe(300)
    expect(await count("select count(*) as n from crawl.missed_pgcr")).toBe(0)
    expect(await h.depth("pgcr_exists.dead")).toBe(0)
  }, 180_000)
})

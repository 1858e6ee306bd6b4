/**
 * `bun run hermes` as a process: broker connections closed mid-stream and SIGKILL mid-batch, and
 * still every effect exactly once and none lost; the first SIGTERM stops it gracefully (exit 0).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { storeInstances } from "../../lib/database/instance-store.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { generateSyntheticInstances } from "../../lib/pgcr/synthetic.ts"
import { createHarness, type Harness, pickIds } from "../../queues/testing/harness.ts"

const MAIN = join(import.meta.dir, "main.ts")
const CHDB_COUNT = join(import.meta.dir, "testing", "chdb-count.ts")

let h: Harness
let dataDir: string
beforeAll(async () => {
  h = await createHarness()
  dataDir = mkdtempSync(join(tmpdir(), "hermes-process-"))
})
afterAll(async () => {
  await h?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Child {
  process: Subprocess<"ignore", "pipe", "pipe">
  stderr: Promise<string>
}

function spawnHermes(queue: string): Child {
  const child = Bun.spawn(["bun", MAIN, "--queue", queue, "--metrics-port", "0", "--no-relays"], {
    env: {
      ...process.env,
      DATABASE_URL: h.db.url,
      RABBITMQ_URL: h.vhost.url,
      BUNGIE_BASE_URL: h.sim.url,
      BUNGIE_API_KEY: "hermes-process-test",
      DATA_DIR: dataDir,
      CLICKHOUSE_URL: "",
      CLICKHOUSE_DATABASE: "hermes_process",
      LOG_LEVEL: "info",
      HERMES_SCALE_INTERVAL_MS: "1000",
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  return { process: child, stderr: new Response(child.stderr).text() }
}

const count = async (sql: string) => Number((await h.db.sql.unsafe(sql))[0]!.n)

describe("hermes process", () => {
  test("an unreachable broker at start-up: retried for SERVICE_WAIT_SECONDS, then exit 2 with one line naming RABBITMQ_URL", async () => {
    const child = Bun.spawn(["bun", MAIN, "--queue", "pgcr_exists", "--metrics-port", "0"], {
      env: {
        ...process.env,
        DATABASE_URL: h.db.url,
        RABBITMQ_URL: "amqp://guest:guest@127.0.0.1:1",
        BUNGIE_API_KEY: "k",
        SERVICE_WAIT_SECONDS: "1",
        LOG_LEVEL: "error",
      },
      stdout: "pipe",
      stderr: "pipe",
    })
    expect(await child.exited).toBe(2)
    const lines = (await new Response(child.stderr).text()).trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^hermes: rabbitmq at 127.0.0.1:1 unreachable \(connection refused\) after [0-9.]+ s \([0-9]+ attempts\): check RABBITMQ_URL/,
    )
  })

  test("pgcr_exists: broker connections closed mid-stream, SIGKILL, restart: every instance stored exactly once, none lost; SIGTERM exits 0", async () => {
    const ids = pickIds(h.sim, 8_000).raids.slice(0, 300)
    expect(ids.length).toBe(300)
    for (const id of ids) await h.publish("pgcr_exists", id.toString(), "text/plain")
    for (const id of ids.slice(0, 30)) await h.publish("pgcr_exists", JSON.stringify({ instanceId: id.toString() }))

    const first = spawnHermes("pgcr_exists")
    await waitUntil(async () => (await count("select count(*) as n from core.instance")) >= 60, "60 stored", 60_000, 20)
    expect(await h.vhost.closeConnections("test: connections closed mid-stream")).toBeGreaterThan(0)
    await waitUntil(async () => (await count("select count(*) as n from core.instance")) >= 150, "150 stored", 60_000, 20)
    first.process.kill("SIGKILL")
    expect(await first.process.exited).not.toBe(0)

    const second = spawnHermes("pgcr_exists")
    try {
      await waitUntil(async () => (await count("select count(*) as n from core.instance")) === 300, "all 300 stored", 120_000, 50)
    } catch (error) {
      second.process.kill("SIGKILL")
      process.stderr.write(`hermes stderr (last lines):\n${(await second.stderr).split("\n").slice(-20).join("\n")}\n`)
      throw error
    }
    await waitUntil(async () => (await h.depth("pgcr_exists")) === 0, "the queue empty")
    second.process.kill("SIGTERM")
    expect(await second.process.exited).toBe(0)
    expect(await second.stderr).toContain('"hermes.stopped"')

    const stored = await h.db.sql`select instance_id::text as id from core.instance order by 1`
    expect(stored.map((r) => r.id)).toEqual(ids.map(String).sort())
    // Side effects written once per instance, however often a message was delivered.
    expect(await count("select count(*) as n from crawl.outbox where topic = 'queue.pgcr_cheat_check'")).toBe(300)
    // A ClickHouse row is also re-emitted for an instance whose first clear or sherpa count a later
    // batch changed (the relay then sends the current values), so count instances, not rows.
    expect(
      await count("select count(distinct convert_from(payload, 'UTF8')) as n from crawl.outbox where topic = 'clickhouse.instance'"),
    ).toBe(300)
    expect(await count("select count(*) as n from crawl.missed_pgcr")).toBe(0)
    expect(await h.depth("pgcr_exists.dead")).toBe(0)
    expect(await h.depth("pgcr_blocked")).toBe(0)
  }, 240_000)

  test("pgcr_clickhouse: SIGKILL mid-batch, restart: every instance in ClickHouse exactly once", async () => {
    const items = generateSyntheticInstances({ count: 3_000, playerPool: 300, seed: 77, firstInstanceId: "16000000000" })
    await storeInstances(h.db.sql, items)
    const ids = items.map((i) => i.instance.instanceId)
    for (const id of ids) await h.publish("pgcr_clickhouse", JSON.stringify({ instanceId: id }))

    const first = spawnHermes("pgcr_clickhouse")
    // Mid-batch: the consumer holds messages (no longer ready) that are not yet acked.
    await waitUntil(async () => (await h.depth("pgcr_clickhouse")) < 3_000, "the first batch taken", 60_000, 5)
    first.process.kill("SIGKILL")
    await first.process.exited

    // Ready 0 is not acked: a consumer still starting (opening the embedded engine on a loaded box)
    // holds its prefetch unprocessed, and a graceful stop gives back what it had not started. So
    // restart until a graceful stop leaves the queue empty: nothing lost on the way, and each
    // instance still reaches ClickHouse once.
    for (let round = 1; ; round++) {
      const next = spawnHermes("pgcr_clickhouse")
      await waitUntil(async () => (await h.depth("pgcr_clickhouse")) === 0, "the queue drained", 60_000, 50)
      await Bun.sleep(1_000)
      next.process.kill("SIGTERM")
      expect(await next.process.exited).toBe(0)
      if ((await h.depth("pgcr_clickhouse")) === 0) break
      if (round === 5) throw new Error("five graceful stops in a row gave messages back unprocessed")
    }
    const counted = Bun.spawnSync(["bun", CHDB_COUNT, join(dataDir, "clickhouse"), "hermes_process"], { stderr: "pipe" })
    expect(counted.exitCode).toBe(0)
    const { rows, distinct } = JSON.parse(counted.stdout.toString()) as { rows: number; distinct: number }
    expect(distinct).toBe(3_000)
    expect(rows).toBe(3_000)
  }, 240_000)
})

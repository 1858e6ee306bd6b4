/**
 * `bun run relay` as a process: it waits for Postgres, relays the outbox into ClickHouse (embedded
 * here, in its own data directory), shows the backlog on /metrics, and stops cleanly on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase, findFreePort, type TestDatabase } from "../../lib/database/testing.ts"

const MAIN = join(import.meta.dir, "main.ts")

describe("bun run relay", () => {
  let db: TestDatabase
  let dataDir: string
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    dataDir = mkdtempSync(join(tmpdir(), "raidhub-relay-"))
  })
  afterAll(async () => {
    await db?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test("reports the outbox backlog on /metrics, becomes healthy once relaying, and stops on SIGTERM with exit 0", async () => {
    // A queue message waits for a broker this relay does not have: it stays pending, visibly.
    await db.sql`INSERT INTO crawl.outbox (topic, payload) VALUES ('queue.player_crawl', convert_to('{"membershipId":"4611686018488107374"}', 'UTF8'))`
    const port = await findFreePort()
    const child = Bun.spawn(["bun", MAIN], {
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: db.url, DATA_DIR: dataDir, RELAY_METRICS_PORT: String(port), LOG_LEVEL: "info" },
      stdout: "pipe",
      stderr: "pipe",
    })
    const stderr = new Response(child.stderr).text()
    try {
      let health: { ok?: boolean } = {}
      for (let i = 0; i < 600 && health.ok !== true; i++) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`)
          .then((r) => r.json() as Promise<{ ok: boolean }>)
          .catch(() => ({}))
        if (health.ok !== true) await Bun.sleep(100)
      }
      expect(health.ok).toBe(true)
      let metrics = ""
      for (let i = 0; i < 100 && !metrics.includes('outbox_pending_rows{topic="queue.player_crawl"} 1'); i++) {
        metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())
        if (!metrics.includes('outbox_pending_rows{topic="queue.player_crawl"} 1')) await Bun.sleep(200)
      }
      expect(metrics).toContain('outbox_pending_rows{topic="queue.player_crawl"} 1')
      expect(metrics).toContain("outbox_oldest_pending_age_seconds")
    } finally {
      child.kill("SIGTERM")
    }
    expect(await child.exited).toBe(0)
    expect(await stderr).toContain("relay.stopped")
  }, 90_000)
})

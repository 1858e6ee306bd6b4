/**
 * Atlas with --via-zeus: every request goes through zeus (which owns the source addresses and
 * the API key) to the simulator; a bounded range ends with exactly the simulator's raids stored,
 * and the simulator saw only zeus's addresses, never atlas's own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import type { ZeusHandle } from "../zeus/server.ts"
import { startTestZeus } from "../zeus/test-helpers.ts"
import { startAtlas } from "./coordinator/supervisor.ts"

const log = createLogger({ level: "warn", fields: { app: "atlas-via-zeus-test" } })

describe("atlas --via-zeus", () => {
  let db: TestDatabase
  let sim: SimHandle
  let zeus: ZeusHandle
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true })
    sim = await startSim({ seed: "via-zeus", scenario: "calm", port: 0, world: { raidShare: 0.2 } })
    zeus = await startTestZeus(sim.url)
  })
  afterAll(async () => {
    await zeus?.stop()
    await sim?.stop()
    await db?.drop()
  })

  test("a bounded range through zeus: exactly the simulator's raids, requests only from zeus's addresses", async () => {
    const startId = BigInt(sim.truth.frontier().startId)
    const from = startId - 200_000n
    const to = from + 299n
    const raids = sim.truth
      .range(from, to + 1n)
      .filter((e) => e.kind !== "other" && e.state === "published")
      .map((e) => e.id)
    const atlas = await startAtlas({
      crawler: "via-zeus",
      from,
      to,
      sql: db.sql,
      databaseUrl: db.url,
      baseUrl: zeus.url,
      apiKey: "",
      viaZeusUrl: zeus.url,
      fetchers: 1,
      maxConcurrency: 16,
      sourceAddresses: [],
      batchSize: 100,
      batchMs: 100,
      metricsPort: null,
      log,
      logLevel: "warn",
    })
    const result = await atlas.done
    expect(result.reason).toBe("rangeResolved")
    const stored = await db.sql<{ id: string }[]>`
      SELECT instance_id::text AS id FROM core.instance WHERE instance_id BETWEEN ${from.toString()} AND ${to.toString()} ORDER BY 1`
    expect(stored.map((r) => r.id)).toEqual(raids)
    expect(raids.length).toBeGreaterThan(10)
    const sources = Object.keys(sim.truth.stats().sources)
    expect(sources.sort()).toEqual(["127.0.0.2", "127.0.0.3"])
  }, 120_000)
})

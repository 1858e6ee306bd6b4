/**
 * The lib's Bungie client in "via zeus" mode (ZEUS_URL) against a real zeus in front of the
 * simulator: the calls hermes, the jobs and the tools make, and how zeus's own answers read.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createBungieForApp } from "../../lib/bungie/for-app.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import type { ZeusHandle } from "./server.ts"
import { startTestZeus } from "./test-helpers.ts"

let sim: SimHandle
let zeus: ZeusHandle
let slowZeus: ZeusHandle

beforeAll(async () => {
  sim = await startSim({ seed: 21, scenario: "calm", port: 0, latency: { kind: "fixed", ms: 50 } })
  zeus = await startTestZeus(sim.url)
  // One address at 1 req/s with a one-token burst: a handful of concurrent requests must wait.
  slowZeus = await startTestZeus(sim.url, {
    sourceAddresses: ["127.0.0.4"],
    limiterOptions: { initialCeiling: 1, maxCeiling: 1, minCeiling: 0.5, burstSeconds: 1 },
  })
})

afterAll(async () => {
  await zeus?.stop()
  await slowZeus?.stop()
  await sim?.stop()
})

function viaZeus(url: string, client: string) {
  return createBungieForApp(
    { BUNGIE_API_KEY: null, BUNGIE_BASE_URL: "https://stats.bungie.net", BUNGIE_WWW_BASE_URL: "https://www.bungie.net", ZEUS_URL: url },
    { client, timeoutMs: 3_000 },
  )
}

describe("via zeus", () => {
  test("PGCRs, Settings and the manifest come through zeus, classified as from Bungie itself", async () => {
    const bungie = viaZeus(zeus.url, "hermes/pgcr_exists")
    const id = BigInt(sim.truth.frontier().startId) - 500n
    const truth = sim.truth.id(id)
    const pgcr = await bungie.attemptPgcr(id, 0)
    const settings = await bungie.getSettings()
    const manifest = await bungie.call((c) => c.getManifest())
    bungie.close()
    if (truth.state !== "published") expect(pgcr.result.kind).toBe("notFound")
    else {
      expect(pgcr.result.kind).toBe("ok")
      expect(pgcr.result.kind === "ok" && pgcr.result.value.pgcr.activityDetails.instanceId).toBe(id.toString())
    }
    expect(pgcr.addressIndex).toBe(0)
    expect(settings.kind).toBe("ok")
    expect(manifest.kind).toBe("ok")
    expect(zeus.queueStats().find((s) => s.client === "hermes/pgcr_exists")?.dispatched).toBe(2)
  })

  test("a request that waited past its deadline in zeus is a transient local timeout, not Bungie throttling", async () => {
    const bungie = viaZeus(slowZeus.url, "hades")
    const id = BigInt(sim.truth.frontier().startId) - 700n
    const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => bungie.attemptPgcr(id + BigInt(i), 0)))
    bungie.close()
    const timedOut = attempts.filter((a) => a.result.meta.errorStatus === "ZeusQueueTimeout")
    expect(timedOut.length).toBeGreaterThan(0)
    for (const a of timedOut) {
      expect(a.result.kind).toBe("transient")
      expect(a.outcome).toBe("transient")
      expect(a.result.meta.httpStatus).toBe(503)
    }
    // Bungie never throttled anyone here: nothing reads as a throttle.
    expect(attempts.some((a) => a.result.kind === "throttled")).toBe(false)
  }, 20_000)

  test("maintenance relayed by zeus reads as disabled", async () => {
    const bungie = viaZeus(zeus.url, "hermes/player_crawl")
    sim.controls.setMaintenance(true)
    try {
      const attempt = await bungie.attemptPgcr(BigInt(sim.truth.frontier().startId) - 800n, 0)
      expect(attempt.result.kind).toBe("disabled")
      expect(attempt.outcome).toBe("disabled")
    } finally {
      sim.controls.setMaintenance(false)
      bungie.close()
    }
  })
})

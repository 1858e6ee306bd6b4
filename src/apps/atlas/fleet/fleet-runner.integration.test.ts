/**
 * The fleet runner against real Postgres with scripted range crawls (no simulator, no threads):
 * a bounded fleet of two runners covers its range and exits; a range with only holes left is
 * parked and resumed by the next taker from its mark; a graceful stop releases the range and the
 * leader lease at once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../../lib/database/testing.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { type RangeCrawl, type RangeCrawlRequest, type RangeCrawlResult, startFleet } from "./fleet-runner.ts"
import { fleetSnapshot, readLeader } from "./lease-store.ts"

const log = createLogger({ level: "silent" })
let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true, max: 10 })
})
afterAll(async () => {
  await db?.drop()
})

/** A crawl that resolves 20 ids every 10 ms up to `stopAt` (exclusive; default: the end); the rest stay holes. */
function scriptedCrawl(r: RangeCrawlRequest, stopAt?: bigint): RangeCrawl {
  let low = r.from
  const end = stopAt ?? r.to + 1n
  let finish: (x: RangeCrawlResult) => void = () => {}
  const done = new Promise<RangeCrawlResult>((resolve) => {
    finish = resolve
  })
  const timer = setInterval(() => {
    low = low + 20n > end ? end : low + 20n
    if (low > r.to) {
      clearInterval(timer)
      finish({ reason: "rangeResolved" })
    }
  }, 10)
  return {
    lowWater: () => low,
    claimedAll: () => low >= end,
    frontier: () => null,
    holesSince: () => (low < end ? null : Date.now() - 1_000),
    stop: async () => {
      clearInterval(timer)
      finish({ reason: "stopped" })
      return done
    },
    done,
  }
}

async function leaseRows(crawler: string) {
  return await db.sql<{ range_start: string; range_end: string; state: string; owner: string; resume_from: string | null }[]>`
    SELECT range_start::text, range_end::text, state::text, owner, resume_from::text
    FROM crawl.id_range_lease WHERE crawler = ${crawler} ORDER BY range_start`
}

describe("fleet runner", () => {
  test("two runners over a bounded range: disjoint ranges covering it, both exit when every lease is done", async () => {
    const crawler = "bounded"
    const sizes = { minSize: 50n, maxSize: 200n, distanceDivisor: 8n }
    const base = {
      sql: db.sql,
      crawler,
      leaseMs: 5_000,
      origin: 1_000n,
      end: 3_000n,
      sizes,
      log,
      crawlRange: async (r: RangeCrawlRequest) => scriptedCrawl(r),
    }
    const a = startFleet({ ...base, owner: "a" })
    const b = startFleet({ ...base, owner: "b" })
    const [ra, rb] = await Promise.all([a.done, b.done])
    expect(ra.reason).toBe("rangeDone")
    expect(rb.reason).toBe("rangeDone")
    expect(ra.ranges + rb.ranges).toBe(10)
    const rows = await leaseRows(crawler)
    let next = 1_000n
    for (const r of rows) {
      expect(BigInt(r.range_start)).toBe(next)
      expect(r.state).toBe("done")
      next = BigInt(r.range_end)
    }
    expect(next).toBe(3_000n)
    expect((await fleetSnapshot(db.sql, crawler)).lowWater).toBe(3_000n)
  }, 30_000)

  test("following the head: a range with only holes left is parked, and the next taker resumes it from its mark", async () => {
    const crawler = "park"
    const requests: RangeCrawlRequest[] = []
    let firstRange = true
    const fleet = startFleet({
      sql: db.sql,
      crawler,
      owner: "leader",
      leaseMs: 600,
      origin: 10_000n,
      end: null,
      sizes: { minSize: 100n, maxSize: 100n, distanceDivisor: 8n },
      log,
      parkAfterMs: 300,
      // The holes have waited ~1 s: held that long (between the bounds), not the bound itself.
      parkHoldMs: 500,
      parkHoldMaxMs: 1_500,
      crawlRange: async (r) => {
        requests.push(r)
        // The first range stops at 10,060: its last 40 ids are holes.
        const crawl = scriptedCrawl(r, firstRange ? 10_060n : undefined)
        firstRange = false
        return crawl
      },
    })
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && !requests.some((r) => r.from === 10_060n)) await Bun.sleep(50)
    fleet.stop()
    const result = await fleet.done
    expect(result.reason).toBe("stopped")
    // Parked at its mark, then (after the hold, this runner having moved on to the head) taken
    // over from there, with its own checkpoint name.
    expect(fleet.events.some((e) => e.kind === "parked")).toBe(true)
    const resumed = requests.find((r) => r.from === 10_060n)!
    expect(resumed.crawler).toBe(requests[0]!.crawler)
    expect(requests.findIndex((r) => r.from === 10_100n)).toBeLessThan(requests.indexOf(resumed))
    // A graceful stop handed the head over at once.
    const leader = await readLeader(db.sql, crawler)
    expect(leader!.expiresAt).toBeLessThanOrEqual(Date.now() + 50)
    const rows = await leaseRows(crawler)
    expect(rows.every((r) => r.state !== "leased")).toBe(true)
  }, 30_000)
})

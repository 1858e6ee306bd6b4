import { afterAll, beforeAll, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../../lib/database/testing.ts"
import { startAfterFleet } from "./after-fleet.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})
afterAll(async () => {
  await db?.drop()
})

async function lease(crawler: string, start: number, end: number, state: "done" | "leased" | "released", resumeFrom: number, live = false) {
  await db.sql`
    INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, state, lease_expires_at, resume_from)
    VALUES (${crawler}, ${start}, ${end}, ${`owner-${start}`}, ${state}, now() + ${live ? 60 : -60} * interval '1 second', ${resumeFrom})`
}

test("a crawler without leases starts as before", async () => {
  expect(await startAfterFleet(db.sql, "never-a-fleet")).toBeNull()
})

test("after a fleet: the fleet's global low-water mark, when past the crawler's checkpoint; live owners named", async () => {
  const crawler = "was-a-fleet"
  await lease(crawler, 1_000, 2_000, "done", 2_000)
  await lease(crawler, 2_000, 3_000, "released", 2_400)
  await lease(crawler, 3_000, 4_000, "leased", 3_900, true)
  await db.sql`INSERT INTO crawl.crawler_state (crawler, low_water_mark) VALUES (${crawler}, 1500)`
  expect(await startAfterFleet(db.sql, crawler)).toEqual({ from: 2_400n, liveOwners: ["owner-3000"] })
  // The single process has since gone past the fleet's mark: its own checkpoint wins.
  await db.sql`UPDATE crawl.crawler_state SET low_water_mark = 2400 WHERE crawler = ${crawler}`
  expect(await startAfterFleet(db.sql, crawler)).toBeNull()
})

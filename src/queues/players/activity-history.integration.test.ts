import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { storeInstances } from "../../lib/database/instance-store.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { fetchPgcr } from "../pgcr/fetch-pgcr.ts"
import { createPgcrExistsWorker } from "../pgcr-exists.ts"
import { createHarness, type Harness, settledCount } from "../testing/harness.ts"
import { createActivityHistoryWorker } from "./activity-history.ts"

let h: Harness
let hermes: HermesHandle
beforeAll(async () => {
  // No incomplete first versions: the instances stored up front must store on the first fetch.
  // A frozen world: no player raids again while the test compares histories with the truth.
  const frozen = Date.now()
  h = await createHarness({ world: { incompleteRate: 0 }, now: () => frozen })
  hermes = await h.hermes({
    activity_history: (publisher) => createActivityHistoryWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
  })
}, 60_000)
afterAll(async () => {
  await h?.close()
})

async function historyOf(body: string): Promise<void> {
  const before = await settledCount(hermes, "activity_history", "ok")
  await h.publish("activity_history", body, "text/plain")
  await waitUntil(async () => (await settledCount(hermes, "activity_history", "ok")) > before, `activity_history ${body}`, 60_000)
}

const storedIds = async (ids: string[]) =>
  (await h.db.sql`select instance_id::text as id from core.instance where instance_id = any(${ids}::bigint[])`).map((r) => r.id as string)

test("activity_history: of a player's 30+ raid instances, exactly the 10 not stored reach pgcr_exists, and get stored", async () => {
  const [p] = h.sim.truth.findPlayers({ minInstances: 30, private: false, unknown: false, exists: true, limit: 1 })
  const all = p!.raidInstanceIds
  expect(all.length).toBeGreaterThanOrEqual(30)
  const missing = all.filter((_, i) => i % 3 === 0).slice(0, 10)
  const present = all.filter((id) => !missing.includes(id))
  for (const id of present) {
    const fetched = await fetchPgcr(BigInt(id), { bungie: h.bungie, defs: h.defs })
    if (fetched.kind !== "raid") throw new Error(`${id}: ${fetched.kind}`)
    await storeInstances(h.db.sql, [fetched.item])
  }
  expect((await storedIds(all)).length).toBe(present.length)

  await historyOf(p!.membershipId)
  const queued = (await h.drain("pgcr_exists")).map((m) => JSON.parse(m.body).instanceId as string)
  expect(queued.sort()).toEqual([...missing].sort())
  const [row] = await h.db.sql`select history_last_crawled, is_private from core.player where membership_id = ${p!.membershipId}::bigint`
  expect(row!.history_last_crawled).toBeInstanceOf(Date)
  expect(row!.is_private).toBe(false)

  // The back-fill path: pgcr_exists stores them.
  const exists = await h.hermes({
    pgcr_exists: (publisher) => createPgcrExistsWorker({ sql: h.db.sql, bungie: h.bungie, defs: h.defs, publisher, log: h.log }),
  })
  for (const id of queued) await h.publish("pgcr_exists", JSON.stringify({ instanceId: id }))
  await waitUntil(async () => (await storedIds(all)).length === all.length, "every listed instance stored", 60_000)
  await exists.stop()
})

test("activity_history: a deep history is paged (several pages of 250) and every unstored id is queued once", async () => {
  const [regular] = h.sim.truth.findPlayers({ regular: true, limit: 1 })
  const ids = regular!.raidInstanceIds
  expect(ids.length).toBeGreaterThan(250)
  const pagesBefore = h.sim.truth.stats().totals.byEndpoint.activityHistory ?? 0
  await historyOf(regular!.membershipId)
  const queued = (await h.drain("pgcr_exists")).map((m) => JSON.parse(m.body).instanceId as string)
  const stored = new Set(await storedIds(ids))
  expect(queued.length).toBe(new Set(queued).size)
  expect(queued.sort()).toEqual(ids.filter((id) => !stored.has(id)).sort())
  // More pages than characters: at least one character paged past 250.
  expect((h.sim.truth.stats().totals.byEndpoint.activityHistory ?? 0) - pagesBefore).toBeGreaterThan(regular!.characters.length)
})

test("activity_history: a private history is recorded (is_private, history_last_crawled), queueing nothing", async () => {
  const [p] = h.sim.truth.findPlayers({ private: true, exists: true, limit: 1 })
  // Already stored when an instance an earlier test stored had this player in it.
  await h.db.sql`
    insert into core.player (membership_id, membership_type, first_seen, last_seen)
    values (${p!.membershipId}::bigint, ${p!.membershipType}, now(), now())
    on conflict (membership_id) do nothing`
  await historyOf(p!.membershipId)
  const [row] = await h.db.sql`select history_last_crawled, is_private from core.player where membership_id = ${p!.membershipId}::bigint`
  expect(row!.is_private).toBe(true)
  expect(row!.history_last_crawled).toBeInstanceOf(Date)
  expect(await h.depth("pgcr_exists")).toBe(0)
})

import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import type { PlayerTruth } from "../../sim/player-facts.ts"
import { createHarness, type Harness, settledCount } from "../testing/harness.ts"
import { createPlayerCrawlWorker } from "./player-crawl.ts"

let h: Harness
let hermes: HermesHandle
beforeAll(async () => {
  // A frozen world: the players' last played dates hold still while the test compares them.
  const frozen = Date.now()
  h = await createHarness({ now: () => frozen })
  hermes = await h.hermes({
    player_crawl: (publisher) => createPlayerCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
  })
}, 60_000)
afterAll(async () => {
  await h?.close()
})

const requests = (endpoint: string) => h.sim.truth.stats().totals.byEndpoint[endpoint] ?? 0
/** Bungie requests other than Settings (which hermes polls for availability). */
const allRequests = () => {
  const { requests, byEndpoint } = h.sim.truth.stats().totals
  return requests - (byEndpoint.settings ?? 0)
}

async function crawlAndSettle(body: string, contentType = "text/plain"): Promise<void> {
  const before = (await settledCount(hermes, "player_crawl", "ok")) + (await settledCount(hermes, "player_crawl", "dead"))
  await h.publish("player_crawl", body, contentType)
  await waitUntil(
    async () => (await settledCount(hermes, "player_crawl", "ok")) + (await settledCount(hermes, "player_crawl", "dead")) > before,
    `player_crawl settled ${body}`,
  )
}

async function seedPlayer(id: string, membershipType: number | null): Promise<void> {
  await h.db.sql`
    insert into core.player (membership_id, membership_type, first_seen, last_seen)
    values (${id}::bigint, ${membershipType}, '2021-05-01T00:00:00Z', '2021-06-01T00:00:00Z')`
}

async function stored(id: string) {
  const [row] = await h.db.sql`
    select membership_type, display_name, bungie_name, icon_path, is_private, last_seen, first_seen, last_crawled, profile_missing_at
    from core.player where membership_id = ${id}::bigint`
  return row
}

/** The emblem of the character Bungie says was played last (the first of equals, as the profile lists them). */
function expectedIcon(p: PlayerTruth): string {
  const newest = [...p.characters].sort((a, b) => Date.parse(b.dateLastPlayed) - Date.parse(a.dateLastPlayed))[0]!
  return `/common/destiny2_content/icons/emblem_${newest.emblemHash}.jpg`
}

test("player_crawl: a known player's row matches the simulator's profile; last_crawled is written; 3 requests", async () => {
  const [p] = h.sim.truth.findPlayers({ exists: true, private: false, unknown: false, inClan: true, limit: 1 })
  await seedPlayer(p!.membershipId, p!.membershipType)
  const before = allRequests()
  await crawlAndSettle(p!.membershipId)
  const row = await stored(p!.membershipId)
  expect(row!.membership_type).toBe(p!.membershipType)
  expect(row!.display_name).toBe(p!.displayName)
  expect(row!.bungie_name).toBe(p!.bungieName)
  expect(row!.icon_path).toBe(expectedIcon(p!))
  expect(row!.is_private).toBe(false)
  // last_seen only moves later: the profile's date last played.
  expect((row!.last_seen as Date).toISOString().replace(".000Z", "Z")).toBe(p!.lastPlayed!)
  expect((row!.first_seen as Date).toISOString()).toBe("2021-05-01T00:00:00.000Z")
  expect(row!.last_crawled).toBeInstanceOf(Date)
  // Profile, the first history page, the clan.
  expect(allRequests() - before).toBe(3)
  const [clanMessage] = await h.drain("clan_crawl")
  expect(JSON.parse(clanMessage!.body)).toEqual({ groupId: p!.groupId })
})

test("player_crawl: a second message within the hour makes no Bungie request", async () => {
  const [p] = h.sim.truth.findPlayers({ exists: true, private: false, unknown: false, limit: 3 }).slice(2)
  await crawlAndSettle(p!.membershipId)
  const before = allRequests()
  await crawlAndSettle(JSON.stringify({ membershipId: p!.membershipId }), "application/json")
  expect(allRequests()).toBe(before)
})

test("player_crawl: a wrong membership type is resolved via Bungie's hint in one extra call", async () => {
  const [p] = h.sim.truth.findPlayers({ exists: true, private: false, unknown: false, limit: 12 }).slice(11)
  const wrong = p!.membershipType === 3 ? 2 : 3
  await seedPlayer(p!.membershipId, wrong)
  const before = requests("profile")
  await crawlAndSettle(p!.membershipId)
  expect(requests("profile") - before).toBe(2)
  expect((await stored(p!.membershipId))!.membership_type).toBe(p!.membershipType)
})

test("player_crawl: duplicates in flight collapse into one crawl; a player never seen gets a row", async () => {
  const [p] = h.sim.truth.findPlayers({ exists: true, private: false, unknown: false, limit: 30 }).slice(29)
  const before = requests("profile")
  const ok = await settledCount(hermes, "player_crawl", "ok")
  for (let i = 0; i < 6; i++) await h.publish("player_crawl", p!.membershipId, "text/plain")
  await waitUntil(async () => (await settledCount(hermes, "player_crawl", "ok")) === ok + 6, "six settled")
  // One crawl: its profile request, plus one when the first guess of the type (Steam) was wrong.
  expect(requests("profile") - before).toBe(p!.membershipType === 3 ? 1 : 2)
  const row = await stored(p!.membershipId)
  expect(row!.bungie_name).toBe(p!.bungieName)
  expect(row!.membership_type).toBe(p!.membershipType)
})

test("player_crawl: a private history is recorded as is_private", async () => {
  const [p] = h.sim.truth.findPlayers({ exists: true, private: true, limit: 1 })
  await crawlAndSettle(p!.membershipId)
  const row = await stored(p!.membershipId)
  expect(row!.is_private).toBe(true)
  expect(row!.bungie_name).toBe(p!.bungieName)
})

test("player_crawl: an account Bungie does not know (1601) is recorded, not retried; an unparseable body goes to .dead", async () => {
  const [p] = h.sim.truth.findPlayers({ unknown: true, limit: 1 })
  await seedPlayer(p!.membershipId, 3)
  const retries = await settledCount(hermes, "player_crawl", "retry")
  await crawlAndSettle(p!.membershipId)
  const row = await stored(p!.membershipId)
  expect(row!.profile_missing_at).toBeInstanceOf(Date)
  expect(row!.last_crawled).toBeInstanceOf(Date)
  expect(await settledCount(hermes, "player_crawl", "retry")).toBe(retries)
  await crawlAndSettle("not a membership id")
  const dead = await h.drain("player_crawl.dead")
  expect(dead.map((d) => d.body)).toEqual(["not a membership id"])
  expect(String(dead[0]!.headers["x-dead-reason"])).toStartWith("unparseable")
})

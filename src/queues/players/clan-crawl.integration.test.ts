import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { createHarness, type Harness, settledCount } from "../testing/harness.ts"
import { createClanCrawlWorker } from "./clan-crawl.ts"
import { createPlayerCrawlWorker } from "./player-crawl.ts"

let h: Harness
let hermes: HermesHandle
beforeAll(async () => {
  h = await createHarness()
  hermes = await h.hermes({
    clan_crawl: (publisher) => createClanCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
  })
}, 60_000)
afterAll(async () => {
  await h?.close()
})

const requests = (endpoint: string) => h.sim.truth.stats().totals.byEndpoint[endpoint] ?? 0

async function crawlClan(groupId: string): Promise<void> {
  const before = await settledCount(hermes, "clan_crawl", "ok")
  await h.publish("clan_crawl", groupId, "text/plain")
  await waitUntil(async () => (await settledCount(hermes, "clan_crawl", "ok")) > before, `clan_crawl ${groupId}`)
}

async function seedPlayers(ids: readonly string[]): Promise<void> {
  await h.db.sql`
    insert into core.player (membership_id, first_seen, last_seen)
    select unnest(${ids as string[]}::bigint[]), now(), now()
    on conflict do nothing`
}

const memberIds = async (groupId: string) =>
  (await h.db.sql`select membership_id::text as id from clan.clan_members where group_id = ${groupId}::bigint order by 1`).map(
    (r) => r.id as string,
  )

test("clan_crawl: a 100-member clan over two pages; known members stored, who left removed, unknown members queued once", async () => {
  const [clan] = h.sim.truth.findClans({ minMembers: 100, deleted: false, limit: 1 })
  expect(clan!.members.length).toBe(100)
  const known = clan!.members.slice(0, 40)
  const left = h.sim.truth.findPlayers({ inClan: false, exists: true, limit: 1 })[0]!.membershipId
  await seedPlayers([...known, left])
  await h.db.sql`insert into clan.clan (group_id, name, updated_at) values (${clan!.groupId}::bigint, 'old name', '2020-01-01')`
  await h.db.sql`insert into clan.clan_members (group_id, membership_id) values (${clan!.groupId}::bigint, ${left}::bigint)`

  const pages = requests("groupMembers")
  await crawlClan(clan!.groupId)
  expect(requests("groupMembers") - pages).toBe(2)
  const [row] = await h.db.sql`
    select name, motto, call_sign, clan_banner_data, deleted_at from clan.clan where group_id = ${clan!.groupId}::bigint`
  expect([row!.name, row!.motto, row!.call_sign, row!.deleted_at]).toEqual([clan!.name, clan!.motto, clan!.callSign, null])
  expect(Object.keys(row!.clan_banner_data)).toContain("decalId")
  expect(await memberIds(clan!.groupId)).toEqual([...known].sort())
  const queued = (await h.drain("player_crawl")).map((m) => JSON.parse(m.body).membershipId as string)
  expect(queued.sort()).toEqual(clan!.members.slice(40).sort())

  // Crawled within the hour: the next message makes no Bungie request.
  const groups = requests("group")
  await crawlClan(clan!.groupId)
  expect(requests("group")).toBe(groups)
  expect(await h.depth("player_crawl")).toBe(0)

  // The queued members crawled: each player_crawl finds the (fresh) clan and joins it.
  const players = await h.hermes({
    player_crawl: (publisher) => createPlayerCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
  })
  for (const id of queued) await h.publish("player_crawl", id, "text/plain")
  await waitUntil(async () => (await memberIds(clan!.groupId)).length === 100, "all 100 members stored", 60_000)
  expect(await memberIds(clan!.groupId)).toEqual([...clan!.members].sort())
  expect(await h.depth("clan_crawl")).toBe(0)
  await players.stop()
})

test("clan_crawl: a deleted group (GroupNotFound) is marked and loses its members, without retries", async () => {
  const [gone] = h.sim.truth.findClans({ deleted: true, limit: 1 })
  const former = gone!.formerMembers.slice(0, 3)
  await seedPlayers(former)
  await h.db.sql`insert into clan.clan (group_id, name, updated_at) values (${gone!.groupId}::bigint, 'gone', '2020-01-01')`
  await h.db.sql`insert into clan.clan_members (group_id, membership_id) select ${gone!.groupId}::bigint, unnest(${former}::bigint[])`
  const retries = await settledCount(hermes, "clan_crawl", "retry")
  await crawlClan(gone!.groupId)
  const [row] = await h.db.sql`select deleted_at from clan.clan where group_id = ${gone!.groupId}::bigint`
  expect(row!.deleted_at).toBeInstanceOf(Date)
  expect(await memberIds(gone!.groupId)).toEqual([])
  expect(await settledCount(hermes, "clan_crawl", "retry")).toBe(retries)

  // Deleted at run time, never stored before: acknowledged, nothing written.
  const [live] = h.sim.truth.findClans({ deleted: false, minMembers: 2, limit: 3 }).slice(2)
  h.sim.controls.deleteGroup(live!.groupId)
  await crawlClan(live!.groupId)
  expect(await h.db.sql`select 1 from clan.clan where group_id = ${live!.groupId}::bigint`).toHaveLength(0)
})

/**
 * The "done when", scaled to a test: raids stored as atlas stores them (their outbox rows
 * relayed to the queues), the public API asking for characters it finds without class or emblem,
 * player_crawl, clan_crawl and character_fill running in hermes. Once the queues have drained,
 * every player of a stored instance has a resolved profile (or is recorded as unknown to Bungie)
 * and last_crawled, the clan membership the simulator has, and no character lacks class or
 * emblem. The counts are printed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import { storeInstances } from "../../lib/database/instance-store.ts"
import type { StoreItem } from "../../lib/database/instance-store-types.ts"
import { type OutboxRelays, startOutboxRelays } from "../../lib/messaging/outbox-relays.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { fetchPgcr } from "../pgcr/fetch-pgcr.ts"
import { createHarness, type Harness, pickIds } from "../testing/harness.ts"
import { createCharacterFillWorker } from "./character-fill.ts"
import { createClanCrawlWorker } from "./clan-crawl.ts"
import { createPlayerCrawlWorker } from "./player-crawl.ts"

const RAIDS = 6
let h: Harness
let relays: OutboxRelays
beforeAll(async () => {
  h = await createHarness({ world: { incompleteRate: 0 } })
}, 60_000)
afterAll(async () => {
  await relays?.stop()
  await h?.close()
})

const n = async (query: string) => Number((await h.db.sql.unsafe(query))[0]!.n)

test("players complete: after the queues drain, every instance player is crawled, in the simulator's clan, and no character lacks class or emblem", async () => {
  relays = startOutboxRelays({ sql: h.db.sql as never, clickhouse: null, rabbitmqUrl: h.vhost.url, log: h.log, pollMs: 100 })
  await h.hermes({
    player_crawl: (publisher) => createPlayerCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
    clan_crawl: (publisher) => createClanCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
    character_fill: () => createCharacterFillWorker({ sql: h.db.sql, bungie: h.bungie, log: h.log }),
  })
  const items: StoreItem[] = []
  for (const id of pickIds(h.sim).raids) {
    const fetched = await fetchPgcr(id, { bungie: h.bungie, defs: h.defs })
    if (fetched.kind === "raid") items.push(fetched.item)
    if (items.length === RAIDS) break
  }
  await storeInstances(h.db.sql, items)
  // Characters whose class and emblem a PGCR hid: the public API asks for them on instance views.
  const hidden = await h.db.sql`
    update extended.instance_character set class_hash = null, emblem_hash = null
    where (instance_id, character_id) in (select instance_id, character_id from extended.instance_character order by 1, 2 limit 5)
    returning instance_id::text as i, membership_id::text as m, character_id::text as c`
  for (const r of hidden) {
    await h.publish("character_fill", JSON.stringify({ instanceId: r.i, membershipId: r.m, characterId: r.c }))
  }

  const drained = async () =>
    (await n("select count(*) as n from crawl.outbox where delivered_at is null and topic like 'queue.%'")) === 0 &&
    (await h.depth("player_crawl")) === 0 &&
    (await h.depth("clan_crawl")) === 0 &&
    (await h.depth("character_fill")) === 0 &&
    (await n(`select count(*) as n from core.player p join (select distinct membership_id from core.instance_player) ip using (membership_id)
              where p.last_crawled is null`)) === 0
  // Twice in a row, a second apart: a crawl in flight may still publish a follow-up.
  const drainedTwice = async () => {
    if (!(await drained())) return false
    await Bun.sleep(1_000)
    return drained()
  }
  await waitUntil(drainedTwice, "the queues drained", 180_000, 500)

  const players = await h.db.sql`
    select p.membership_id::text as id, p.bungie_name, p.last_crawled, p.profile_missing_at, p.is_private,
           (select array_agg(group_id::text) from clan.clan_members m where m.membership_id = p.membership_id) as clans
    from core.player p where p.membership_id in (select membership_id from core.instance_player)`
  let resolved = 0
  let unknownToBungie = 0
  let inClan = 0
  let clanless = 0
  for (const p of players) {
    const truth = h.sim.truth.player(p.id)!
    expect(p.last_crawled).toBeInstanceOf(Date)
    if (truth.isUnknown) {
      expect(p.profile_missing_at).toBeInstanceOf(Date)
      unknownToBungie++
      continue
    }
    expect([p.id, p.bungie_name, p.is_private]).toEqual([truth.membershipId, truth.bungieName, truth.isPrivate])
    resolved++
    expect([p.id, p.clans ?? []]).toEqual([truth.membershipId, truth.groupId === null ? [] : [truth.groupId]])
    if (truth.groupId === null) clanless++
    else inClan++
  }
  const lacking = await n("select count(*) as n from extended.instance_character where class_hash is null or emblem_hash is null")
  const crawledBeyond = await n(
    "select count(*) as n from core.player where last_crawled is not null and membership_id not in (select membership_id from core.instance_player)",
  )
  console.log(
    `players complete: ${RAIDS} raids, ${players.length} instance players: ${resolved} resolved (${inClan} in their clan, ${clanless} clanless), ` +
      `${unknownToBungie} unknown to Bungie; ${crawledBeyond} more clan members crawled; ${hidden.length} hidden characters filled, ${lacking} lacking class or emblem`,
  )
  expect(lacking).toBe(0)
  expect(resolved + unknownToBungie).toBe(players.length)
})

/**
 * The public API (Raid-Hub/API) publishes to player_crawl, clan_crawl and character_fill without
 * confirms, not persistent and without headers (../shared/research/raidhub-api.md, "Queues"):
 * text/plain decimal ids, and for character_fill a JSON object of three string ids. Those bytes,
 * sent exactly so, are consumed as-is by the workers, as are the original services' JSON numbers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import type { Publisher } from "rabbitmq-client"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { storeInstances } from "../../lib/database/instance-store.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { fetchPgcr } from "../pgcr/fetch-pgcr.ts"
import { createHarness, type Harness, pickIds, settledCount } from "../testing/harness.ts"
import { createCharacterFillWorker } from "./character-fill.ts"
import { createClanCrawlWorker } from "./clan-crawl.ts"
import { createPlayerCrawlWorker } from "./player-crawl.ts"

let h: Harness
let hermes: HermesHandle
let api: Publisher
beforeAll(async () => {
  h = await createHarness()
  hermes = await h.hermes({
    player_crawl: (publisher) => createPlayerCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
    clan_crawl: (publisher) => createClanCrawlWorker({ sql: h.db.sql, bungie: h.bungie, publisher, log: h.log }),
    character_fill: () => createCharacterFillWorker({ sql: h.db.sql, bungie: h.bungie, log: h.log }),
  })
  // As the API's amqplib channel sends: no confirms, not persistent, no headers.
  api = h.rabbit.createPublisher()
}, 60_000)
afterAll(async () => {
  await api?.close()
  await h?.close()
})

const sendLikeTheApi = (queue: string, body: string, contentType: string) => api.send({ routingKey: queue, contentType }, Buffer.from(body))

async function settled(queue: string, n: number): Promise<void> {
  await waitUntil(async () => (await settledCount(hermes, queue, "ok")) >= n, `${n} ${queue} settled`)
  expect(await settledCount(hermes, queue, "dead")).toBe(0)
  expect(await settledCount(hermes, queue, "retry")).toBe(0)
}

test("public API: player_crawl and clan_crawl as text/plain, character_fill as JSON strings; the original's JSON numbers", async () => {
  const [p, q] = h.sim.truth.findPlayers({ exists: true, unknown: false, private: false, limit: 2 })
  const [clan] = h.sim.truth.findClans({ deleted: false, minMembers: 3, limit: 1 })
  await sendLikeTheApi("player_crawl", p!.membershipId, "text/plain")
  // The original services: a JSON number beyond 2^53, which must not be rounded.
  await sendLikeTheApi("player_crawl", `{"membershipId":${q!.membershipId}}`, "application/json")
  await sendLikeTheApi("clan_crawl", clan!.groupId, "text/plain")
  // Their clan's other members reach player_crawl too (from clan_crawl): wait for these two rows.
  const ids = [p!.membershipId, q!.membershipId]
  await waitUntil(
    async () =>
      (await h.db.sql`select 1 from core.player where membership_id = any(${ids}::bigint[]) and last_crawled is not null`).length === 2,
    "both players crawled",
  )
  await settled("player_crawl", 2)
  // The two players' own clans reach clan_crawl too: wait for this one's row.
  await waitUntil(async () => (await h.db.sql`select 1 from clan.clan where group_id = ${clan!.groupId}::bigint`).length === 1, "the clan")
  await settled("clan_crawl", 1)
  const players = await h.db.sql`
    select membership_id::text as id, bungie_name from core.player where membership_id = any(${ids}::bigint[])
    order by bungie_name`
  expect(players.map((r) => [r.id, r.bungie_name]).sort()).toEqual(
    [
      [p!.membershipId, p!.bungieName],
      [q!.membershipId, q!.bungieName],
    ].sort(),
  )
  const [row] = await h.db.sql`select name from clan.clan where group_id = ${clan!.groupId}::bigint`
  expect(row!.name).toBe(clan!.name)

  // character_fill for a stored raid whose character lost its class.
  let instanceId = ""
  for (const id of pickIds(h.sim).raids) {
    const fetched = await fetchPgcr(id, { bungie: h.bungie, defs: h.defs })
    if (fetched.kind !== "raid") continue
    await storeInstances(h.db.sql, [fetched.item])
    instanceId = id.toString()
    break
  }
  const [ch] = await h.db.sql`
    update extended.instance_character set class_hash = null where instance_id = ${instanceId}::bigint
    returning membership_id::text as m, character_id::text as c`
  await sendLikeTheApi("character_fill", JSON.stringify({ instanceId, membershipId: ch!.m, characterId: ch!.c }), "application/json")
  await settled("character_fill", 1)
  const [filled] = await h.db.sql`
    select class_hash::text as class_hash from extended.instance_character
    where instance_id = ${instanceId}::bigint and character_id = ${ch!.c}::bigint`
  const truth = h.sim.truth.player(ch!.m)!.characters.find((c) => c.characterId === ch!.c)!
  expect(filled!.class_hash).toBe(String(truth.classHash))
})

import { afterAll, beforeAll, expect, test } from "bun:test"
import type { HermesHandle } from "../../apps/hermes/runtime/hermes.ts"
import { storeInstances } from "../../lib/database/instance-store.ts"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { fetchPgcr } from "../pgcr/fetch-pgcr.ts"
import { createHarness, type Harness, pickIds, settledCount } from "../testing/harness.ts"
import { createCharacterFillWorker } from "./character-fill.ts"

let h: Harness
let hermes: HermesHandle
let instanceId: string
let characters: { membershipId: string; characterId: string }[]
beforeAll(async () => {
  h = await createHarness()
  hermes = await h.hermes({ character_fill: () => createCharacterFillWorker({ sql: h.db.sql, bungie: h.bungie, log: h.log }) })
  // One stored raid whose characters lost class, emblem and the players' icons (as a PGCR that hid them).
  for (const id of pickIds(h.sim).raids) {
    const fetched = await fetchPgcr(id, { bungie: h.bungie, defs: h.defs })
    if (fetched.kind !== "raid") continue
    const rows = await h.db.sql`select 1 from core.instance where instance_id = ${id.toString()}::bigint`
    if (rows.length > 0) continue
    await storeInstances(h.db.sql, [fetched.item])
    instanceId = id.toString()
    break
  }
  characters = (
    await h.db.sql`select membership_id::text as m, character_id::text as c from extended.instance_character
                   where instance_id = ${instanceId}::bigint order by 1, 2`
  ).map((r) => ({ membershipId: r.m as string, characterId: r.c as string }))
  await h.db.sql`update extended.instance_character set class_hash = null, emblem_hash = null where instance_id = ${instanceId}::bigint`
  await h.db.sql`update core.player set icon_path = null where membership_id in (
                   select membership_id from core.instance_player where instance_id = ${instanceId}::bigint)`
}, 60_000)
afterAll(async () => {
  await h?.close()
})

const characterRequests = () => h.sim.truth.stats().totals.byEndpoint.character ?? 0

async function fill(bodies: string[]): Promise<void> {
  const settled = async () => (await settledCount(hermes, "character_fill", "ok")) + (await settledCount(hermes, "character_fill", "dead"))
  const before = await settled()
  for (const body of bodies) await h.publish("character_fill", body)
  await waitUntil(async () => (await settled()) === before + bodies.length, "character_fill settled")
}

test("character_fill: class, emblem and the player's icon filled from GetCharacter, matching the simulator", async () => {
  expect(characters.length).toBeGreaterThan(0)
  const [first, ...rest] = characters
  // Public API shape (string ids) and the ids-as-numbers shape of the original services.
  await fill([
    JSON.stringify({ instanceId, membershipId: first!.membershipId, characterId: first!.characterId }),
    ...rest.map((ch) => `{"membershipId":${ch.membershipId},"characterId":${ch.characterId},"instanceId":${instanceId}}`),
  ])
  for (const ch of characters) {
    const truth = h.sim.truth.player(ch.membershipId)!.characters.find((c) => c.characterId === ch.characterId)!
    const [row] = await h.db.sql`
      select class_hash::text as class_hash, emblem_hash::text as emblem_hash from extended.instance_character
      where instance_id = ${instanceId}::bigint and character_id = ${ch.characterId}::bigint`
    expect([row!.class_hash, row!.emblem_hash]).toEqual([String(truth.classHash), String(truth.emblemHash)])
  }
  const icons = await h.db
    .sql`select icon_path from core.player where membership_id = any(${characters.map((c) => c.membershipId)}::bigint[])`
  expect(icons.every((r) => typeof r.icon_path === "string" && r.icon_path.includes("emblem_"))).toBe(true)
})

test("character_fill: a character filled already makes no request; a wrong type costs one extra call", async () => {
  const ch = characters[0]!
  const before = characterRequests()
  await fill([JSON.stringify({ instanceId, membershipId: ch.membershipId, characterId: ch.characterId })])
  expect(characterRequests()).toBe(before)

  const truth = h.sim.truth.player(ch.membershipId)!
  await h.db
    .sql`update core.player set membership_type = ${truth.membershipType === 3 ? 2 : 3} where membership_id = ${ch.membershipId}::bigint`
  await h.db.sql`update extended.instance_character set emblem_hash = null where character_id = ${ch.characterId}::bigint`
  await fill([JSON.stringify({ instanceId, membershipId: ch.membershipId, characterId: ch.characterId })])
  expect(characterRequests() - before).toBe(2)
  const [row] = await h.db
    .sql`select emblem_hash::text as e from extended.instance_character where character_id = ${ch.characterId}::bigint`
  expect(row!.e).toBe(String(truth.characters.find((c) => c.characterId === ch.characterId)!.emblemHash))
})

test("character_fill: a character not stored, or a body without all three ids, goes to .dead", async () => {
  const ch = characters[0]!
  await fill([
    JSON.stringify({ instanceId: "1", membershipId: ch.membershipId, characterId: ch.characterId }),
    JSON.stringify({ membershipId: ch.membershipId, characterId: ch.characterId }),
  ])
  const reasons = (await h.drain("character_fill.dead")).map((d) => String(d.headers["x-dead-reason"]))
  expect(reasons).toHaveLength(2)
  expect(reasons.some((r) => r.includes("is not stored in instance 1"))).toBe(true)
  expect(reasons.some((r) => r.startsWith("unparseable"))).toBe(true)
})

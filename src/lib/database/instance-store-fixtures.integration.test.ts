/**
 * The real PGCR fixtures, processed by lib/pgcr and stored: everything that is a raid lands, the
 * Response bytes round-trip through raw.pgcr, and the aggregates do not depend on arrival order.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureJson, readPgcrFixtureText } from "../fixtures.ts"
import { unwrapPgcrEnvelope } from "../pgcr/envelope.ts"
import { processPgcr } from "../pgcr/process.ts"
import { loadProcessedInstances } from "./instance-loader.ts"
import { type StoreItem, storeInstances } from "./instance-store.ts"
import { decodeRawPgcr } from "./raw-pgcr-codec.ts"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})
afterAll(async () => {
  await db?.drop()
})

function fixtureItems(): StoreItem[] {
  const defs = loadDefinitions()
  const items: StoreItem[] = []
  for (const name of listPgcrFixtureNames()) {
    const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
    if (unwrapped.kind !== "ok") continue
    const result = processPgcr(unwrapped.body, defs)
    if (result.kind !== "raid") continue
    const raw = new TextEncoder().encode(readPgcrFixtureText(name))
    items.push({ instance: result.instance, activityId: result.activityId, versionId: result.versionId, raw })
  }
  return items
}

async function dump(): Promise<string[]> {
  const rows = await db.sql.unsafe(`
    select 'p' as t, membership_id::text as k, clears, fresh_clears, sherpas, total_time_played_seconds::text as x, sum_of_best::text as y
      from core.player
    union all select 's', membership_id::text || ':' || activity_id, clears, fresh_clears, sherpas,
      total_time_played_seconds::text, fastest_instance_id::text from core.player_stats
    union all select 'i', instance_id::text || ':' || membership_id, completed::int, is_first_clear::int, sherpas,
      time_played_seconds::text, null from core.instance_player
    order by 1, 2`)
  return rows.map((r) => JSON.stringify(r))
}

test("processed fixtures store completely and identically in either order", async () => {
  const items = fixtureItems()
  expect(items.length).toBeGreaterThan(3)
  const first = await storeInstances(db.sql, items)
  expect(first.storedIds.length).toBe(items.length)
  const forward = await dump()

  // raw.pgcr keeps the exact bytes of each PGCR's Response object (what the public API serves).
  for (const item of items) {
    const [row] = await db.sql.unsafe("select data from raw.pgcr where instance_id = $1::bigint", [item.instance.instanceId])
    const body = new TextDecoder().decode(decodeRawPgcr(row!.data))
    const original = new TextDecoder().decode(item.raw)
    const parsed = JSON.parse(original) as { Response?: unknown }
    expect(JSON.parse(body)).toEqual(parsed.Response ?? parsed)
    expect(original.includes(body)).toBe(true)
  }
  const [sample] = items

  // What the ClickHouse relay reads back equals what processing produced, apart from the
  // writer-decided fields, row order, and the profile (core.player holds the newest one).
  const [loaded] = await loadProcessedInstances(db.sql, [sample!.instance.instanceId])
  const strip = (i: StoreItem["instance"]) => ({
    ...i,
    players: i.players
      .map((p) => ({
        ...p,
        isFirstClear: false,
        sherpas: 0,
        player: { membershipId: p.player.membershipId },
        characters: [...p.characters]
          .map((c) => ({ ...c, weapons: [...c.weapons].sort((a, b) => a.weaponHash - b.weaponHash) }))
          .sort((a, b) => a.characterId.localeCompare(b.characterId)),
      }))
      .sort((a, b) => a.player.membershipId.localeCompare(b.player.membershipId)),
  })
  expect(strip(loaded!.instance)).toEqual(strip(sample!.instance))

  await db.sql.unsafe("truncate core.instance, core.player, raw.pgcr, crawl.outbox cascade")
  for (const item of [...items].reverse()) await storeInstances(db.sql, [item])
  expect(await dump()).toEqual(forward)
})

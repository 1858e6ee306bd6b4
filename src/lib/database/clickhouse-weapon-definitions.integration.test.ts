import { afterAll, beforeAll, expect, test } from "bun:test"
import { syncClickhouseWeaponDefinitions } from "./clickhouse-weapon-definitions.ts"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "./testing.ts"

let db: TestDatabase
let ch: TestClickhouse

beforeAll(async () => {
  ;[db, ch] = await Promise.all([createTestDatabase({ migrate: true }), createTestClickhouse({ migrate: true })])
})

afterAll(async () => {
  await Promise.all([db?.drop(), ch?.drop()])
})

async function insertWeapon(hash: bigint, name: string, slot: "Kinetic" | "Energy" | "Power"): Promise<void> {
  await db.sql`
    INSERT INTO definitions.weapon_definition (hash, name, icon_path, weapon_type, element, slot, ammo_type, rarity)
    VALUES (${String(hash)}, ${name}, '/icon.png', 'Hand Cannon', 'Kinetic', ${slot}, 'Primary', 'Legendary')`
}

async function clickhouseWeapons(): Promise<{ hash: string; name: string; slot: string }[]> {
  const rs = await ch.client.query({ query: "SELECT hash, name, slot FROM weapon_definition ORDER BY hash", format: "JSONEachRow" })
  return rs.json()
}

test("weapon definitions mirror into ClickHouse: upserted in place, deleted when gone", async () => {
  // A hash above 2^31 (Bungie hashes are unsigned 32-bit) and two ordinary ones.
  await insertWeapon(3494399208n, "Above Int32", "Kinetic")
  await insertWeapon(1094005544n, "Energy One", "Energy")
  await insertWeapon(153979396n, "Heavy One", "Power")
  expect(await syncClickhouseWeaponDefinitions(db.sql, ch.client)).toEqual({ upserted: 3, deleted: 0 })
  expect(await clickhouseWeapons()).toEqual([
    { hash: "153979396", name: "Heavy One", slot: "Power" },
    { hash: "1094005544", name: "Energy One", slot: "Energy" },
    { hash: "3494399208", name: "Above Int32", slot: "Kinetic" },
  ])

  await db.sql`UPDATE definitions.weapon_definition SET name = 'Renamed', slot = 'Power' WHERE hash = 1094005544`
  await db.sql`DELETE FROM definitions.weapon_definition WHERE hash = 153979396`
  expect(await syncClickhouseWeaponDefinitions(db.sql, ch.client)).toEqual({ upserted: 2, deleted: 1 })
  expect(await clickhouseWeapons()).toEqual([
    { hash: "1094005544", name: "Renamed", slot: "Power" },
    { hash: "3494399208", name: "Above Int32", slot: "Kinetic" },
  ])
  // A repeat changes nothing: no duplicate row for the join to count twice.
  expect(await syncClickhouseWeaponDefinitions(db.sql, ch.client)).toEqual({ upserted: 2, deleted: 0 })
  const rs = await ch.client.query({ query: "SELECT count() AS n FROM weapon_definition", format: "JSONEachRow" })
  expect(await rs.json()).toEqual([{ n: "2" }])
})

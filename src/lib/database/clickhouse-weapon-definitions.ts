/**
 * Mirrors definitions.weapon_definition (Postgres, filled from the manifest) into ClickHouse's
 * weapon_definition, which the public API joins to weapon_meta_by_hour by hash and groups by
 * slot (Kinetic / Energy / Power). The ClickHouse table is key-value (EmbeddedRocksDB, primary
 * key hash; clickhouse/migrations/0003): writing every row again upserts in place, and hashes
 * no longer in Postgres are deleted, so the join never sees a stale or doubled weapon.
 *
 * Run after the manifest changes (the definitions job) and whenever ClickHouse was rebuilt;
 * a few thousand rows, cheap to repeat.
 */
import type { ClickHouseClient } from "@clickhouse/client"
import type { AnySql } from "./sql-types.ts"

export interface WeaponDefinitionRow {
  hash: string
  name: string
  icon_path: string
  weapon_type: string
  element: string
  slot: string
  ammo_type: string
  rarity: string
}

export interface WeaponSyncReport {
  /** Rows written to ClickHouse (every weapon in Postgres). */
  upserted: number
  /** ClickHouse rows removed because Postgres no longer has their hash. */
  deleted: number
}

export async function syncClickhouseWeaponDefinitions(sql: AnySql, client: ClickHouseClient): Promise<WeaponSyncReport> {
  const rows = await sql<WeaponDefinitionRow[]>`
    SELECT hash::text AS hash, name, icon_path, weapon_type::text AS weapon_type, element::text AS element,
           slot::text AS slot, ammo_type::text AS ammo_type, rarity::text AS rarity
    FROM definitions.weapon_definition
    ORDER BY hash`
  if (rows.length > 0) await client.insert({ table: "weapon_definition", values: rows, format: "JSONEachRow" })
  const keep = rows.map((r) => r.hash)
  const stale = await client.query({
    query: "SELECT count() AS n FROM weapon_definition WHERE NOT has({keep:Array(String)}, toString(hash))",
    query_params: { keep },
    format: "JSONEachRow",
  })
  const [{ n }] = (await stale.json<{ n: string }>()) as [{ n: string }]
  const deleted = Number(n)
  if (deleted > 0) {
    await client.command({
      query: "DELETE FROM weapon_definition WHERE NOT has({keep:Array(String)}, toString(hash))",
      query_params: { keep },
    })
  }
  return { upserted: rows.length, deleted }
}

/**
 * What athena takes from the Manifest's SQLite content (bun:sqlite, read only): weapons
 * (DestinyInventoryItemDefinition rows with itemType 3) and the feats of our raids (each
 * activity's difficulty-tier collection → its tiers' selectable skull collections → the skulls
 * players can toggle, dynamicUse > 0). Rows are keyed by hash; the table's `id` column is the
 * hash as a signed 32-bit integer. Pure over an open database.
 */
import type { Database } from "bun:sqlite"

export interface WeaponRow {
  hash: number
  name: string
  icon: string
  itemSubType: number
  damageType: number
  ammoType: number
  slotHash: number
  tierTypeName: string
}

export interface FeatRow {
  hash: number
  skullHash: number
  name: string
  icon: string
  description: string
  descriptionShort: string
  modifierPowerContribution: number
}

type Json = Record<string, unknown>

function tableExists(db: Database, table: string): boolean {
  return db.query("select 1 from sqlite_master where type = 'table' and name = ?").get(table) !== null
}

function definitionOf(db: Database, table: string, hash: number): Json | null {
  const row = db.query(`select json from ${table} where id = ?`).get(hash | 0) as { json: string | Uint8Array } | null
  if (row === null) return null
  return JSON.parse(typeof row.json === "string" ? row.json : new TextDecoder().decode(row.json)) as Json
}

const str = (v: unknown) => (typeof v === "string" ? v : "")
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0)

export function readWeapons(db: Database): WeaponRow[] {
  if (!tableExists(db, "DestinyInventoryItemDefinition")) throw new Error("the manifest has no DestinyInventoryItemDefinition table")
  const rows = db.query("select json from DestinyInventoryItemDefinition").all() as { json: string | Uint8Array }[]
  const weapons: WeaponRow[] = []
  for (const row of rows) {
    const def = JSON.parse(typeof row.json === "string" ? row.json : new TextDecoder().decode(row.json)) as Json
    if (def.itemType !== 3) continue
    const display = (def.displayProperties ?? {}) as Json
    const equipping = (def.equippingBlock ?? {}) as Json
    const inventory = (def.inventory ?? {}) as Json
    weapons.push({
      hash: num(def.hash) >>> 0,
      name: str(display.name),
      icon: str(display.icon),
      itemSubType: num(def.itemSubType),
      damageType: num(def.defaultDamageType),
      ammoType: num(equipping.ammoType),
      slotHash: num(equipping.equipmentSlotTypeHash) >>> 0,
      tierTypeName: str(inventory.tierTypeName),
    })
  }
  return weapons
}

/** The selectable feats of the given activity hashes, one row per skull hash. */
export function readFeats(db: Database, activityHashes: readonly number[]): FeatRow[] {
  const tables = [
    "DestinyActivityDefinition",
    "DestinyActivityDifficultyTierCollectionDefinition",
    "DestinyActivitySelectableSkullCollectionDefinition",
  ]
  if (!tables.every((t) => tableExists(db, t))) return []
  const feats = new Map<number, FeatRow>()
  for (const hash of activityHashes) {
    const activity = definitionOf(db, "DestinyActivityDefinition", hash)
    const tierCollectionHash = activity?.difficultyTierCollectionHash
    if (typeof tierCollectionHash !== "number") continue
    const collection = definitionOf(db, "DestinyActivityDifficultyTierCollectionDefinition", tierCollectionHash)
    for (const tier of (collection?.difficultyTiers ?? []) as Json[]) {
      for (const skullCollectionHash of (tier.selectableSkullCollectionHashes ?? []) as number[]) {
        const skulls = definitionOf(db, "DestinyActivitySelectableSkullCollectionDefinition", skullCollectionHash)
        for (const selectable of (skulls?.selectableActivitySkulls ?? []) as Json[]) {
          const skull = (selectable.activitySkull ?? {}) as Json
          if (num(skull.dynamicUse) <= 0 || typeof skull.hash !== "number") continue
          const display = (skull.displayProperties ?? {}) as Json
          feats.set(skull.hash >>> 0, {
            hash: skull.hash >>> 0,
            skullHash: num(skull.skullIdentifierHash) >>> 0,
            name: str(display.name),
            icon: str(display.icon),
            description: str(display.description),
            descriptionShort: str(skull.displayDescriptionOverrideForNavMode),
            modifierPowerContribution: Math.trunc(num(skull.modifierPowerContribution)),
          })
        }
      }
    }
  }
  return [...feats.values()].sort((a, b) => a.hash - b.hash)
}

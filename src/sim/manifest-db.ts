// A small Destiny manifest: DestinyActivityDefinition rows for every activity hash the sim
// serves and DestinyInventoryItemDefinition rows for every weapon in the fixtures, in the
// real layout (table per definition, `id` = hash as signed int32, `json` column).
import { Database } from "bun:sqlite"
import type { FixtureData } from "./fixtures.ts"
import { hashWords } from "./random.ts"
import { zipSingleFile } from "./zip.ts"

export interface ManifestFiles {
  version: string
  sqliteName: string
  zip: Uint8Array
  activityJson: string
  itemJson: string
}

const WEAPON_SUBTYPES: Array<[number, string, number]> = [
  // [itemSubType, type name, ammoType]
  [6, "Auto Rifle", 1],
  [13, "Pulse Rifle", 1],
  [14, "Scout Rifle", 1],
  [9, "Hand Cannon", 1],
  [24, "Submachine Gun", 1],
  [17, "Sidearm", 1],
  [31, "Combat Bow", 1],
  [7, "Shotgun", 2],
  [12, "Sniper Rifle", 2],
  [11, "Fusion Rifle", 2],
  [23, "Grenade Launcher", 2],
  [33, "Glaive", 2],
  [22, "Linear Fusion Rifle", 3],
  [10, "Rocket Launcher", 3],
  [8, "Machine Gun", 3],
  [18, "Sword", 3],
]
const SLOT_BY_AMMO: Record<number, number> = { 1: 1498876634, 2: 2465295065, 3: 953998645 }
const NAME_WORDS = [
  "Fatebringer",
  "Vision",
  "Oath",
  "Hollow",
  "Ember",
  "Tide",
  "Verdict",
  "Harbinger",
  "Echo",
  "Relentless",
  "Nether",
  "Gilded",
  "Quiet",
  "Riven",
  "Solemn",
  "Warden",
]

function signed32(hash: number): number {
  return hash | 0
}

function activityDefinition(hash: number, index: number, info: { name: string; version: string; kind: string; mode: number }): object {
  const name = info.version === "Standard" ? info.name : `${info.name}: ${info.version}`
  return {
    displayProperties: {
      description: `${info.name} (${info.version})`,
      name,
      icon: "/common/destiny2_content/icons/raid.png",
      hasIcon: true,
    },
    originalDisplayProperties: { description: "", name: info.name, icon: "", hasIcon: false },
    selectionScreenDisplayProperties: { description: "", name, hasIcon: false },
    releaseIcon: "/img/misc/missing_icon_d2.png",
    releaseTime: 0,
    activityLightLevel: 0,
    destinationHash: 0,
    placeHash: 0,
    activityTypeHash: info.kind === "raid" ? 2043403989 : 0,
    tier: 0,
    pgcrImage: "/img/theme/destiny/bgs/pgcrs/placeholder.jpg",
    rewards: [],
    modifiers: [],
    isPlaylist: false,
    challenges: [],
    optionalUnlockStrings: [],
    inheritFromFreeRoam: false,
    suppressOtherRewards: false,
    playlistItems: [],
    matchmaking: { isMatchmade: false, minParty: 1, maxParty: 6, maxPlayers: 6, requiresGuardianOath: false },
    directActivityModeHash: info.mode === 4 ? 2043403989 : 0,
    directActivityModeType: info.mode,
    loadouts: [],
    activityModeHashes: [1164760493, 2043403989],
    activityModeTypes: [7, info.mode],
    isPvP: false,
    insertionPoints: [],
    activityLocationMappings: [],
    hash,
    index,
    redacted: false,
    blacklisted: false,
  }
}

function weaponDefinition(hash: number, index: number, seed: number): object {
  const h = hashWords(seed, hash, 0, 99)
  const [subType, typeName, ammoType] = WEAPON_SUBTYPES[h % WEAPON_SUBTYPES.length]!
  const exotic = (h >>> 8) % 10 === 0
  const name = `${NAME_WORDS[(h >>> 12) % NAME_WORDS.length]} ${NAME_WORDS[(h >>> 16) % NAME_WORDS.length]}`
  return {
    displayProperties: { description: "", name, icon: `/common/destiny2_content/icons/${hash.toString(16)}.jpg`, hasIcon: true },
    itemTypeDisplayName: typeName,
    itemTypeAndTierDisplayName: `${exotic ? "Exotic" : "Legendary"} ${typeName}`,
    equippable: true,
    equippingBlock: {
      uniqueLabelHash: 0,
      equipmentSlotTypeHash: SLOT_BY_AMMO[ammoType],
      attributes: 0,
      equippingSoundHash: 0,
      hornSoundHash: 0,
      ammoType,
      displayStrings: [],
    },
    inventory: {
      maxStackSize: 1,
      bucketTypeHash: SLOT_BY_AMMO[ammoType],
      recoveryBucketTypeHash: 215593132,
      tierTypeHash: exotic ? 2759499571 : 4008398120,
      isInstanceItem: true,
      nonTransferrableOriginal: false,
      tierTypeName: exotic ? "Exotic" : "Legendary",
      tierType: exotic ? 6 : 5,
    },
    itemType: 3,
    itemSubType: subType,
    classType: 3,
    defaultDamageType: 1 + ((h >>> 20) % 7),
    defaultDamageTypeHash: 0,
    hash,
    index,
    redacted: false,
    blacklisted: false,
  }
}

export function buildManifest(fixtures: FixtureData, seed: number): ManifestFiles {
  const db = new Database(":memory:")
  db.run("CREATE TABLE DestinyActivityDefinition (id INTEGER PRIMARY KEY NOT NULL, json BLOB)")
  db.run("CREATE TABLE DestinyInventoryItemDefinition (id INTEGER PRIMARY KEY NOT NULL, json BLOB)")
  const activities: Record<string, object> = {}
  const items: Record<string, object> = {}
  const insertActivity = db.prepare("INSERT OR REPLACE INTO DestinyActivityDefinition (id, json) VALUES (?, ?)")
  const insertItem = db.prepare("INSERT OR REPLACE INTO DestinyInventoryItemDefinition (id, json) VALUES (?, ?)")
  let index = 0
  for (const [hash, info] of fixtures.activityNames) {
    const def = activityDefinition(hash, index++, info)
    activities[hash] = def
    insertActivity.run(signed32(hash), JSON.stringify(def))
  }
  for (const hash of fixtures.weaponHashes) {
    const def = weaponDefinition(hash, index++, seed)
    items[hash] = def
    insertItem.run(signed32(hash), JSON.stringify(def))
  }
  const bytes = db.serialize()
  db.close()
  const version = `sim.${seed.toString(16)}.${fixtures.activityNames.size}.${fixtures.weaponHashes.length}`
  const sqliteName = `world_sql_content_${Bun.hash(version).toString(16)}.content`
  return {
    version,
    sqliteName,
    zip: zipSingleFile(sqliteName, new Uint8Array(bytes)),
    activityJson: JSON.stringify(activities),
    itemJson: JSON.stringify(items),
  }
}

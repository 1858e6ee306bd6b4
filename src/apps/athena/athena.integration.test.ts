/**
 * athena against Postgres and the simulator's Manifest (weapons; a version loaded once), and
 * against a Manifest served here whose SQLite has difficulty tiers (the simulator serves none):
 * feats from the selectable skulls, weapons reloaded, a deflated zip read.
 */

import { Database } from "bun:sqlite"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { deflateRawSync } from "node:zlib"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createJobBungie } from "../../lib/jobs/job-bungie.ts"
import { jobTestConfig, SIM_API_KEY } from "../../lib/jobs/testing/job-config.ts"
import { type SimHandle, startSim } from "../../sim/server.ts"
import { loadManifest } from "./load-manifest.ts"
import { readSingleZipEntry } from "./unzip.ts"

const SLOW = 60_000
let db: TestDatabase
let sim: SimHandle

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  sim = await startSim({ seed: 3, scenario: "backfill" })
}, SLOW)
afterAll(async () => {
  await sim?.stop()
  await db?.drop()
}, SLOW)

function load(baseUrl: string, force = false) {
  const bungie = createJobBungie(jobTestConfig(db.url, baseUrl), { client: "athena-test", concurrency: 1 })
  return loadManifest({ sql: db.sql, bungie, contentBaseUrl: baseUrl, apiKey: SIM_API_KEY, force, dryRun: false }).finally(() =>
    bungie.close(),
  )
}

/** A one-entry zip, deflated (method 8), as Bungie serves it. */
function zipDeflated(name: string, data: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name)
  const packed = new Uint8Array(deflateRawSync(data))
  const crc = Bun.hash.crc32(data) >>> 0
  const local = new DataView(new ArrayBuffer(30))
  local.setUint32(0, 0x04034b50, true)
  local.setUint16(8, 8, true)
  local.setUint32(14, crc, true)
  local.setUint32(18, packed.length, true)
  local.setUint32(22, data.length, true)
  local.setUint16(26, nameBytes.length, true)
  const central = new DataView(new ArrayBuffer(46))
  central.setUint32(0, 0x02014b50, true)
  central.setUint16(10, 8, true)
  central.setUint32(16, crc, true)
  central.setUint32(20, packed.length, true)
  central.setUint32(24, data.length, true)
  central.setUint16(28, nameBytes.length, true)
  const centralOffset = 30 + nameBytes.length + packed.length
  const end = new DataView(new ArrayBuffer(22))
  end.setUint32(0, 0x06054b50, true)
  end.setUint16(8, 1, true)
  end.setUint16(10, 1, true)
  end.setUint32(12, 46 + nameBytes.length, true)
  end.setUint32(16, centralOffset, true)
  return new Uint8Array(
    Buffer.concat([local, nameBytes, packed, central, nameBytes, end].map((p) => new Uint8Array(p instanceof DataView ? p.buffer : p))),
  )
}

describe("athena (manifest)", () => {
  test(
    "the simulator's Manifest: every weapon our enums can hold is loaded; the same version is skipped",
    async () => {
      const manifest = (await (
        await fetch(`${sim.url}/Platform/Destiny2/Manifest/`, { headers: { "x-api-key": SIM_API_KEY, "user-agent": "t" } })
      ).json()) as {
        Response: { version: string; jsonWorldComponentContentPaths: { en: { DestinyInventoryItemDefinition: string } } }
      }
      const items = (await (
        await fetch(`${sim.url}${manifest.Response.jsonWorldComponentContentPaths.en.DestinyInventoryItemDefinition}`)
      ).json()) as Record<string, { itemType: number; defaultDamageType: number; displayProperties: { name: string } }>
      const weapons = Object.entries(items).filter(([, d]) => d.itemType === 3)
      // Damage type 5 (Raid) has no WeaponElement: those are skipped, everything else is loaded.
      const loadable = weapons.filter(([, d]) => d.defaultDamageType !== 5)
      const report = await load(sim.url)
      expect(report).toMatchObject({
        version: manifest.Response.version,
        skipped: false,
        weapons: loadable.length,
        weaponsSkipped: weapons.length - loadable.length,
        feats: 0,
      })
      const rows = await db.sql<{ hash: bigint; name: string }[]>`select hash, name from definitions.weapon_definition order by hash`
      expect(rows.map((r) => String(r.hash))).toEqual(loadable.map(([h]) => h).sort((a, b) => Number(a) - Number(b)))
      const [hash, def] = loadable[0]!
      expect(rows.find((r) => String(r.hash) === hash)!.name).toBe(def.displayProperties.name)
      const again = await load(sim.url)
      expect(again).toMatchObject({ skipped: true, weaponsChanged: 0 })
      const [{ n }] = (await db.sql`select count(*)::int as n from definitions.manifest_version`) as unknown as [{ n: number }]
      expect(n).toBe(1)
    },
    SLOW,
  )

  test(
    "difficulty-tier skulls become feats (selectable ones only); weapons reloaded from a deflated zip",
    async () => {
      const [raid] = await db.sql<
        { hash: bigint }[]
      >`select hash from definitions.activity_version where activity_id = 16 order by hash limit 1`
      const raidHash = Number(raid!.hash)
      const sqlite = new Database(":memory:")
      for (const t of [
        "DestinyActivityDefinition",
        "DestinyActivityDifficultyTierCollectionDefinition",
        "DestinyActivitySelectableSkullCollectionDefinition",
        "DestinyInventoryItemDefinition",
      ]) {
        sqlite.run(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY NOT NULL, json BLOB)`)
      }
      const put = (t: string, hash: number, json: object) =>
        sqlite.run(`INSERT INTO ${t} (id, json) VALUES (?, ?)`, [hash | 0, JSON.stringify({ hash, ...json })])
      const skull = (hash: number, dynamicUse: number, name: string) => ({
        activitySkull: {
          hash,
          skullIdentifierHash: hash + 1,
          dynamicUse,
          modifierPowerContribution: 25,
          displayDescriptionOverrideForNavMode: `${name} short`,
          displayProperties: { name, icon: `/i/${hash}.png`, description: `${name} long` },
        },
      })
      put("DestinyActivityDefinition", raidHash, { difficultyTierCollectionHash: 3_000_000_001 })
      put("DestinyActivityDifficultyTierCollectionDefinition", 3_000_000_001, {
        difficultyTiers: [{ selectableSkullCollectionHashes: [3_000_000_002] }, { selectableSkullCollectionHashes: [] }],
      })
      put("DestinyActivitySelectableSkullCollectionDefinition", 3_000_000_002, {
        selectableActivitySkulls: [
          skull(4_000_000_010, 1, "Feat: Tempered"),
          skull(4_000_000_020, 0, "Hidden"),
          skull(4_000_000_030, 1, "Feat: Sealed"),
        ],
      })
      const weapon = (name: string) => ({
        itemType: 3,
        itemSubType: 13,
        defaultDamageType: 2,
        displayProperties: { name, icon: "/w.png" },
        equippingBlock: { ammoType: 1, equipmentSlotTypeHash: 2465295065 },
        inventory: { tierTypeName: "Legendary" },
      })
      put("DestinyInventoryItemDefinition", 3_500_000_001, weapon("Pulse One"))
      put("DestinyInventoryItemDefinition", 3_500_000_002, weapon("Pulse Two"))
      const zip = zipDeflated("world_sql_content_test.content", new Uint8Array(sqlite.serialize()))
      sqlite.close()
      expect(readSingleZipEntry(zip).name).toBe("world_sql_content_test.content")

      let downloads = 0
      const server = Bun.serve({
        port: 0,
        hostname: "127.0.0.1",
        fetch(req) {
          const url = new URL(req.url)
          if (url.pathname === "/Platform/Destiny2/Manifest/") {
            return Response.json({
              Response: { version: "test.1", mobileWorldContentPaths: { en: "/common/content/test.zip" } },
              ErrorCode: 1,
              ErrorStatus: "Success",
              ThrottleSeconds: 0,
              Message: "Ok",
              MessageData: {},
            })
          }
          if (url.pathname === "/common/content/test.zip" && url.searchParams.has("cb")) {
            downloads++
            return new Response(zip)
          }
          return new Response("no", { status: 404 })
        },
      })
      try {
        const report = await load(`http://127.0.0.1:${server.port}`)
        expect(report).toMatchObject({ version: "test.1", weapons: 2, weaponsChanged: 2, feats: 2, featsChanged: 2 })
        expect(report.weaponsRemoved).toBeGreaterThan(0)
        expect(downloads).toBe(1)
        const feats =
          await db.sql`select hash, skull_hash, name, name_short, description, description_short, icon_path, modifier_power_contribution from definitions.activity_feat_definition order by hash`
        expect(feats.map((f) => ({ ...f }))).toEqual([
          {
            hash: 4_000_000_010n,
            skull_hash: 4_000_000_011n,
            name: "Feat: Tempered",
            name_short: "Tempered",
            description: "Feat: Tempered long",
            description_short: "Feat: Tempered short",
            icon_path: "/i/4000000010.png",
            modifier_power_contribution: 25,
          },
          {
            hash: 4_000_000_030n,
            skull_hash: 4_000_000_031n,
            name: "Feat: Sealed",
            name_short: "Sealed",
            description: "Feat: Sealed long",
            description_short: "Feat: Sealed short",
            icon_path: "/i/4000000030.png",
            modifier_power_contribution: 25,
          },
        ])
        const weapons =
          await db.sql`select hash, name, weapon_type::text, element::text, slot::text, ammo_type::text, rarity::text from definitions.weapon_definition order by hash`
        expect(weapons.map((w) => ({ ...w }))).toEqual([
          {
            hash: 3_500_000_001n,
            name: "Pulse One",
            weapon_type: "Pulse Rifle",
            element: "Arc",
            slot: "Energy",
            ammo_type: "Primary",
            rarity: "Legendary",
          },
          {
            hash: 3_500_000_002n,
            name: "Pulse Two",
            weapon_type: "Pulse Rifle",
            element: "Arc",
            slot: "Energy",
            ammo_type: "Primary",
            rarity: "Legendary",
          },
        ])
        // --force loads the same version again and finds nothing to change.
        expect(await load(`http://127.0.0.1:${server.port}`, true)).toMatchObject({
          skipped: false,
          weaponsChanged: 0,
          featsChanged: 0,
          weaponsRemoved: 0,
        })
      } finally {
        server.stop(true)
      }
    },
    SLOW,
  )
})

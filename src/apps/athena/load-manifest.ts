/**
 * athena: loads the Destiny Manifest. The Manifest (through the shared rate-limited client) names
 * the current version and its SQLite content zip; a version already loaded is skipped. The zip is
 * downloaded with a random cache-busting parameter (a CDN must not hand back last week's file),
 * opened in memory with bun:sqlite, and in one transaction definitions.weapon_definition is
 * reloaded (upserted, weapons gone from the Manifest removed; rows whose type, element, slot, ammo
 * or rarity our enums do not know are skipped and counted) and activity_feat_definition upserted
 * from our raids' difficulty-tier skulls; then the version is recorded.
 */
import { Database } from "bun:sqlite"
import { computeBackoffMs } from "../../lib/backoff.ts"
import { buildUserAgent } from "../../lib/bungie/client.ts"
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import { ZEUS_CLIENT_HEADER } from "../../lib/bungie/zeus-protocol.ts"
import type { Sql } from "../../lib/database/postgres.ts"
import { type FeatRow, readFeats, readWeapons, type WeaponRow } from "./read-definitions.ts"
import { readSingleZipEntry } from "./unzip.ts"

export interface ManifestOptions {
  sql: Sql
  bungie: RateLimitedBungie
  /** Origin the content path is relative to (the www host, or zeus). */
  contentBaseUrl: string
  apiKey: string
  force: boolean
  dryRun: boolean
  random?: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface ManifestReport {
  version: string
  /** The version was loaded before (and --force was not given). */
  skipped: boolean
  weapons: number
  /** Weapons our enums cannot represent (not loaded). */
  weaponsSkipped: number
  /** Weapon rows inserted or changed, and removed. */
  weaponsChanged: number
  weaponsRemoved: number
  feats: number
  featsChanged: number
  dryRun: boolean
}

const DOWNLOAD_ATTEMPTS = 3

export async function loadManifest(o: ManifestOptions): Promise<ManifestReport> {
  const manifest = await o.bungie.call((c) => c.getManifest(), { maxAttempts: 4 })
  if (manifest.kind !== "ok")
    throw new Error(
      `the Manifest request failed: ${manifest.kind} (HTTP ${manifest.meta.httpStatus ?? "-"}, ErrorCode ${manifest.meta.errorCode ?? "-"})`,
    )
  const version = manifest.value.version
  const contentPath = manifest.value.mobileWorldContentPaths?.en
  if (typeof version !== "string" || typeof contentPath !== "string" || !contentPath.startsWith("/")) {
    throw new Error("the Manifest names no English SQLite content (mobileWorldContentPaths.en)")
  }
  const report: ManifestReport = {
    version,
    skipped: false,
    weapons: 0,
    weaponsSkipped: 0,
    weaponsChanged: 0,
    weaponsRemoved: 0,
    feats: 0,
    featsChanged: 0,
    dryRun: o.dryRun,
  }
  const [loaded] = await o.sql`select 1 from definitions.manifest_version where version = ${version}`
  if (loaded && !o.force) return { ...report, skipped: true }

  const zip = await download(o, contentPath)
  const db = Database.deserialize(readSingleZipEntry(zip).data, true)
  let weapons: WeaponRow[]
  let feats: FeatRow[]
  try {
    weapons = readWeapons(db)
    const hashes = await o.sql<{ hash: bigint }[]>`select hash from definitions.activity_version order by hash`
    feats = readFeats(
      db,
      hashes.map((h) => Number(h.hash)),
    )
  } finally {
    db.close()
  }
  if (weapons.length === 0) throw new Error(`manifest ${version} holds no weapons: refusing to empty definitions.weapon_definition`)
  report.feats = feats.length
  if (o.dryRun) return { ...report, weapons: weapons.length }

  await o.sql.begin(async (tx) => {
    const [w] = await tx.unsafe<{ loaded: number; changed: number; removed: number }[]>(
      `with src as (
         select * from unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::bigint[], $8::text[])
           as w(hash, name, icon, sub, dmg, ammo, slot, tier)
       ), ok as (
         select hash, name, icon, definitions.get_weapon_type(sub) as t, definitions.get_weapon_element(dmg) as e,
                definitions.get_weapon_slot(slot) as s, definitions.get_weapon_ammo_type(ammo) as a, definitions.get_weapon_rarity(tier) as r
         from src
       ), valid as (
         select * from ok where t is not null and e is not null and s is not null and a is not null and r is not null
       ), up as (
         insert into definitions.weapon_definition as d (hash, name, icon_path, weapon_type, element, slot, ammo_type, rarity)
         select hash, name, icon, t, e, s, a, r from valid order by hash
         on conflict (hash) do update set name = excluded.name, icon_path = excluded.icon_path, weapon_type = excluded.weapon_type,
           element = excluded.element, slot = excluded.slot, ammo_type = excluded.ammo_type, rarity = excluded.rarity
         where (d.name, d.icon_path, d.weapon_type, d.element, d.slot, d.ammo_type, d.rarity)
               is distinct from (excluded.name, excluded.icon_path, excluded.weapon_type, excluded.element, excluded.slot, excluded.ammo_type, excluded.rarity)
         returning 1
       ), gone as (
         delete from definitions.weapon_definition where hash not in (select hash from valid) returning 1
       )
       select (select count(*)::int from valid) as loaded, (select count(*)::int from up) as changed, (select count(*)::int from gone) as removed`,
      [
        weapons.map((w) => w.hash),
        weapons.map((w) => w.name),
        weapons.map((w) => w.icon),
        weapons.map((w) => w.itemSubType),
        weapons.map((w) => w.damageType),
        weapons.map((w) => w.ammoType),
        weapons.map((w) => w.slotHash),
        weapons.map((w) => w.tierTypeName),
      ],
    )
    report.weapons = w?.loaded ?? 0
    report.weaponsSkipped = weapons.length - report.weapons
    report.weaponsChanged = w?.changed ?? 0
    report.weaponsRemoved = w?.removed ?? 0
    const [f] = await tx.unsafe<{ changed: number }[]>(
      `with up as (
         insert into definitions.activity_feat_definition as d
           (hash, skull_hash, name, icon_path, description, description_short, modifier_power_contribution)
         select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[])
         on conflict (hash) do update set skull_hash = excluded.skull_hash, name = excluded.name, icon_path = excluded.icon_path,
           description = excluded.description, description_short = excluded.description_short,
           modifier_power_contribution = excluded.modifier_power_contribution
         where (d.skull_hash, d.name, d.icon_path, d.description, d.description_short, d.modifier_power_contribution)
               is distinct from (excluded.skull_hash, excluded.name, excluded.icon_path, excluded.description,
                                 excluded.description_short, excluded.modifier_power_contribution)
         returning 1)
       select count(*)::int as changed from up`,
      [
        feats.map((f) => f.hash),
        feats.map((f) => f.skullHash),
        feats.map((f) => f.name),
        feats.map((f) => f.icon),
        feats.map((f) => f.description),
        feats.map((f) => f.descriptionShort),
        feats.map((f) => f.modifierPowerContribution),
      ],
    )
    report.featsChanged = f?.changed ?? 0
    await tx`
      insert into definitions.manifest_version (version, content_path, weapons, feats)
      values (${version}, ${contentPath}, ${report.weapons}, ${report.feats})
      on conflict (version) do update set loaded_at = now(), content_path = excluded.content_path,
        weapons = excluded.weapons, feats = excluded.feats`
  })
  return report
}

/** The content zip, cache-busted, with bounded jittered retries. */
async function download(o: ManifestOptions, contentPath: string): Promise<Uint8Array> {
  const random = o.random ?? Math.random
  const sleep = o.sleep ?? ((ms: number) => Bun.sleep(ms))
  const base = o.contentBaseUrl.replace(/\/+$/, "")
  let failure = ""
  for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(computeBackoffMs(attempt - 1, { baseMs: 1_000, maxMs: 10_000, jitter: 0.5 }, random))
    const url = `${base}${contentPath}?cb=${Math.floor(random() * 2 ** 31)}`
    try {
      const response = await fetch(url, {
        // Through zeus (ZEUS_URL) the download is filed under athena's caller tag like its API calls.
        headers: { "user-agent": buildUserAgent(), [ZEUS_CLIENT_HEADER]: "athena", ...(o.apiKey ? { "x-api-key": o.apiKey } : {}) },
        signal: AbortSignal.timeout(300_000),
      })
      if (response.ok) return new Uint8Array(await response.arrayBuffer())
      failure = `HTTP ${response.status}`
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error)
    }
  }
  throw new Error(`downloading ${contentPath} failed after ${DOWNLOAD_ATTEMPTS} attempts: ${failure}`)
}

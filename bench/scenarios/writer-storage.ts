/**
 * The `writer` storage part: the batched Postgres instance store (storeInstances, what the
 * pg-writer runs per batch) against raw COPY of the same rows into the same tables, each in
 * its own fresh migrated database on the same server, batches interleaved so both see the same
 * server noise. Rows = instance + participant + character + weapon rows of the batch (the
 * staging rows); raw COPY writes them with COPY only (plus raw.pgcr and the new core.player
 * rows), no upserts, no aggregates, no outbox: the floor a writer can approach.
 *
 * Synthetic instances (src/lib/pgcr/synthetic.ts) with their raw body replaced by real fixture
 * PGCR bytes, so the raw PGCR's compression and bytea volume are realistic.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { type StoreItem, type StoreStepsMs, storeInstances } from "../../src/lib/database/instance-store.ts"
import { buildStagingRows, type StagingRows } from "../../src/lib/database/instance-store-rows.ts"
import { encodeRawPgcr } from "../../src/lib/database/raw-pgcr-codec.ts"
import type { StagingCell } from "../../src/lib/database/staging-json.ts"
import { createTestDatabase, type TestDatabase } from "../../src/lib/database/testing.ts"
import { listPgcrFixtureNames } from "../../src/lib/fixtures.ts"
import { PGCR_FIXTURES_DIR } from "../../src/lib/fixtures-path.ts"
import { generateSyntheticInstances, SYNTHETIC_ACTIVITIES } from "../../src/lib/pgcr/synthetic.ts"
import { copyRows } from "../lib/copy-text.ts"
import { computePairedRatio, type Distribution, summarize } from "../lib/stats.ts"

export interface StorageMeasurement {
  method: "storeInstances" | "raw COPY"
  batches: number
  batchSize: number
  rows: number
  instances: number
  rowsPerSecond: number
  instancesPerSecond: number
  batchMs: Distribution
}

export function buildSyntheticItems(count: number, seed: number): StoreItem[] {
  // Gzipped once here, as the fetcher does before handing a raid to the pg-writer (WriterItem.raw):
  // neither the store nor the COPY baseline pays for compression in production.
  const bodies = listPgcrFixtureNames().map((name) => encodeRawPgcr(new Uint8Array(readFileSync(join(PGCR_FIXTURES_DIR, name)))))
  return generateSyntheticInstances({ count, seed, firstInstanceId: "16000000000" }).map((s, i) => ({
    instance: s.instance,
    activityId: s.activityId,
    versionId: s.versionId,
    raw: bodies[i % bodies.length]!,
  }))
}

export function countStagingRows(rows: StagingRows): number {
  return rows.instances.length + rows.players.length + rows.characters.length + rows.weapons.length
}

const ACTIVITY_BY_HASH = new Map(SYNTHETIC_ACTIVITIES.map((a) => [a.hash, a.activityId]))

/** Raw COPY of one batch in one transaction; `knownPlayers` keeps core.player inserts unique. */
async function copyBatch(db: TestDatabase, items: readonly StoreItem[], knownPlayers: Set<string>): Promise<number> {
  const rows = buildStagingRows(items, ACTIVITY_BY_HASH)
  const newPlayers: StagingCell[][] = []
  for (const p of rows.players) {
    const mid = p[1] as string
    if (knownPlayers.has(mid)) continue
    knownPlayers.add(mid)
    newPlayers.push([mid, p[2]!, p[5]!, p[6]!, p[7]!, p[8]!, p[4]!, p[3]!])
  }
  await db.sql.begin(async (tx) => {
    await copyRows(
      tx,
      "raw.pgcr",
      ["instance_id", "data"],
      rows.instances.map((r) => [r[0]!, r[13]!]),
    )
    await copyRows(
      tx,
      "core.instance",
      [
        "instance_id",
        "hash",
        "score",
        "flawless",
        "completed",
        "fresh",
        "player_count",
        "date_started",
        "date_completed",
        "duration",
        "platform_type",
        "skull_hashes",
      ],
      rows.instances.map((r) => [r[0]!, r[1]!, r[3]!, r[4]!, r[5]!, r[6]!, r[7]!, r[8]!, r[9]!, r[10]!, r[11]!, r[12]!]),
    )
    await copyRows(
      tx,
      "core.player",
      [
        "membership_id",
        "membership_type",
        "icon_path",
        "display_name",
        "bungie_global_display_name",
        "bungie_global_display_name_code",
        "last_seen",
        "first_seen",
      ],
      newPlayers,
    )
    await copyRows(
      tx,
      "core.instance_player",
      ["instance_id", "membership_id", "completed", "time_played_seconds"],
      rows.players.map((r) => [r[0]!, r[1]!, r[9]!, r[10]!]),
    )
    await copyRows(
      tx,
      "extended.instance_character",
      [
        "instance_id",
        "membership_id",
        "character_id",
        "class_hash",
        "emblem_hash",
        "completed",
        "score",
        "kills",
        "assists",
        "deaths",
        "precision_kills",
        "super_kills",
        "grenade_kills",
        "melee_kills",
        "time_played_seconds",
        "start_seconds",
      ],
      rows.characters,
    )
    await copyRows(
      tx,
      "extended.instance_character_weapon",
      ["instance_id", "membership_id", "character_id", "weapon_hash", "kills", "precision_kills"],
      rows.weapons,
    )
  })
  return countStagingRows(rows)
}

export interface StorageComparison {
  store: StorageMeasurement
  copy: StorageMeasurement
  /** The store's database (instances + outbox rows) and what was stored, for the ClickHouse part. */
  /** Median over batches of raw-COPY time / store time (same rows, back to back). */
  pairedRatio: number
  /** The store's time per step, one record per measured batch (StoreReport.stepsMs). */
  storeSteps: StoreStepsMs[]
  storeDb: TestDatabase
  storedItems: StoreItem[]
  /** Drops both databases. */
  drop(): Promise<void>
}

/** Keeps the databases until drop(), so the ClickHouse part can relay the store's outbox. */
export async function compareStorage(batchSize: number, batches: number, progress: (m: string) => void): Promise<StorageComparison> {
  const items = buildSyntheticItems(batchSize * (batches + 1), 7)
  const [storeDb, copyDb] = await Promise.all([
    createTestDatabase({ migrate: true, max: 2 }),
    createTestDatabase({ migrate: true, max: 2 }),
  ])
  const store = { ms: [] as number[], rows: 0, instances: 0 }
  const copy = { ms: [] as number[], rows: 0, instances: 0 }
  const knownPlayers = new Set<string>()
  const storeSteps: StoreStepsMs[] = []
  const drop = () => Promise.all([storeDb.drop(), copyDb.drop()]).then(() => {})
  try {
    for (let b = 0; b <= batches; b++) {
      const batch = items.slice(b * batchSize, (b + 1) * batchSize)
      const rows = countStagingRows(buildStagingRows(batch, ACTIVITY_BY_HASH))
      // Alternate which goes first so neither always meets a cold or a busy server.
      const order = b % 2 === 0 ? ["store", "copy"] : ["copy", "store"]
      for (const which of order) {
        const t0 = performance.now()
        if (which === "store") {
          const report = await storeInstances(storeDb.sql, batch)
          if (report.storedIds.length !== batch.length)
            throw new Error(`storeInstances stored ${report.storedIds.length} of ${batch.length}`)
          if (b > 0) storeSteps.push(report.stepsMs)
        } else await copyBatch(copyDb, batch, knownPlayers)
        const ms = performance.now() - t0
        if (b === 0) continue // warm-up batch: plans, caches, connections
        const target = which === "store" ? store : copy
        target.ms.push(ms)
        target.rows += rows
        target.instances += batch.length
      }
      if (b > 0)
        progress(
          `writer batch ${b}/${batches}: storeInstances ${store.ms.at(-1)!.toFixed(0)} ms, raw COPY ${copy.ms.at(-1)!.toFixed(0)} ms (${rows} rows)`,
        )
    }
  } catch (error) {
    await drop().catch(() => {})
    throw error
  }
  const describe = (method: StorageMeasurement["method"], m: typeof store): StorageMeasurement => {
    const seconds = m.ms.reduce((a, b) => a + b, 0) / 1000
    return {
      method,
      batches,
      batchSize,
      rows: m.rows,
      instances: m.instances,
      rowsPerSecond: m.rows / seconds,
      instancesPerSecond: m.instances / seconds,
      batchMs: summarize(m.ms),
    }
  }
  return {
    store: describe("storeInstances", store),
    copy: describe("raw COPY", copy),
    pairedRatio: computePairedRatio(copy.ms, store.ms),
    storeSteps,
    storeDb,
    storedItems: items.slice(0, batchSize * (batches + 1)),
    drop,
  }
}

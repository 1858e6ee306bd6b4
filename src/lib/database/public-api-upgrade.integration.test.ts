/**
 * The public-API migrations upgrade a database filled under the previous schema in place:
 * a Postgres and a ClickHouse database are migrated with the files as they were before
 * (test-data/schema-before-public-api holds the three files that changed; everything else is
 * the repo's own file, so it is recorded under the same name and checksum), filled, then
 * migrated with the repo's files: only the new migrations and the edited views run, existing
 * rows survive, old raw PGCRs convert, and a second run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadDefinitions } from "../definitions.ts"
import { readPgcrFixtureText } from "../fixtures.ts"
import { REPO_ROOT } from "../fixtures-path.ts"
import { createLogger } from "../monitoring/logger.ts"
import { unwrapPgcrEnvelope } from "../pgcr/envelope.ts"
import { processPgcr } from "../pgcr/process.ts"
import { toClickhouseInstanceRow } from "./clickhouse-instance-row.ts"
import { convertRawPgcrBatch } from "./convert-raw-pgcr.ts"
import { loadProcessedInstances } from "./instance-loader.ts"
import { type StoreItem, storeInstances } from "./instance-store.ts"
import { runClickhouseMigrations } from "./migrate/clickhouse.ts"
import type { MigrationDir } from "./migrate/files.ts"
import { runPostgresMigrations } from "./migrate/postgres.ts"
import { decodeRawPgcr } from "./raw-pgcr-codec.ts"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "./testing.ts"

const silent = createLogger({ level: "silent" })
const BEFORE = join(REPO_ROOT, "test-data", "schema-before-public-api")
// Files the previous schema had; later files did not exist yet.
const OLD_PG_MIGRATIONS = [
  "0001_definitions.sql",
  "0002_core.sql",
  "0003_extended_raw.sql",
  "0004_clan_flagging.sql",
  "0005_subscriptions.sql",
  "0006_crawl.sql",
  "0100_player_profile_seen.sql",
]
const OLD_PG_VIEWS = [
  "0001_cache_global_leaderboard.sql",
  "0002_cache_individual_activity_leaderboard.sql",
  "0003_individual_global_leaderboard.sql",
  "0004_individual_raid_leaderboard.sql",
  "0005_individual_pantheon_version_leaderboard.sql",
  "0006_world_first_contest_leaderboard.sql",
  "0007_team_activity_version_leaderboard.sql",
  "0008_clan_leaderboard.sql",
]
const OLD_CH_MIGRATIONS = ["0001_instance.sql", "0002_rollups.sql"]
const OLD_CH_VIEWS = ["0001_player_population_by_hour_mv.sql", "0002_clear_time_by_day_mv.sql", "0003_weapon_meta_by_hour_mv.sql"]

let scratch: string
let db: TestDatabase
let ch: TestClickhouse

/** A directory with the named files, each from test-data when it changed since, else from the repo. */
function beforeDir(tree: "sql" | "clickhouse", group: "migrations" | "views", names: readonly string[]): MigrationDir {
  const dir = join(scratch, tree, group)
  mkdirSync(dir, { recursive: true })
  const changed = new Set(readdirSafe(join(BEFORE, tree, group)))
  for (const name of names)
    copyFileSync(join(changed.has(name) ? join(BEFORE, tree, group) : join(REPO_ROOT, tree, group), name), join(dir, name))
  return { group, dir, repeatable: group === "views" }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/** The fixture DSC launch-race run: a world-first entry under the contest rules. */
function fixtureItem(name: string): StoreItem {
  const text = readPgcrFixtureText(name)
  const unwrapped = unwrapPgcrEnvelope(JSON.parse(text))
  if (unwrapped.kind !== "ok") throw new Error(`fixture ${name}: ${unwrapped.reason}`)
  const result = processPgcr(unwrapped.body, loadDefinitions())
  if (result.kind !== "raid") throw new Error(`fixture ${name} is not a raid`)
  return { instance: result.instance, activityId: result.activityId, versionId: result.versionId, raw: new TextEncoder().encode(text) }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "raidhub-upgrade-"))
  ;[db, ch] = await Promise.all([createTestDatabase(), createTestClickhouse()])
})

afterAll(async () => {
  await Promise.all([db?.drop(), ch?.drop()])
  rmSync(scratch, { recursive: true, force: true })
})

describe("upgrading a database filled under the previous schema", () => {
  test("Postgres: new migrations and edited views apply over existing rows; old raw PGCRs convert", async () => {
    await runPostgresMigrations(db.sql, {
      dirs: [beforeDir("sql", "migrations", OLD_PG_MIGRATIONS), beforeDir("sql", "views", OLD_PG_VIEWS)],
      logger: silent,
    })
    const item = fixtureItem("7315438924.json")
    await storeInstances(db.sql, [item])
    // Stored the old way: zstd of the whole envelope.
    await db.sql`UPDATE raw.pgcr SET data = ${Buffer.from(Bun.zstdCompressSync(item.raw as Uint8Array<ArrayBuffer>))}`
    const destination = await db.sql`INSERT INTO subscriptions.destination (channel_type) VALUES ('discord_webhook') RETURNING id`
    await db.sql`
      INSERT INTO subscriptions.discord_destination_config (destination_id, webhook_id, webhook_token, guild_id, channel_id)
      VALUES (${destination[0]!.id}, 'w', 't', 'g', 'c')`
    await db.sql`REFRESH MATERIALIZED VIEW leaderboard.world_first_contest_leaderboard`
    const [before] = await db.sql`SELECT membership_ids::text AS ids FROM leaderboard.world_first_contest_leaderboard LIMIT 1`
    expect(before!.ids).toStartWith('["') // the previous schema's string ids

    const upgrade = await runPostgresMigrations(db.sql, { logger: silent })
    // Every migration the previous schema did not have (whatever later work added), and exactly the
    // views whose files changed since.
    const newMigrations = readdirSync(join(REPO_ROOT, "sql", "migrations"))
      .filter((name) => name.endsWith(".sql") && !OLD_PG_MIGRATIONS.includes(name))
      .sort()
      .map((name) => `migrations/${name}`)
    expect(upgrade.applied).toEqual([
      ...newMigrations,
      "views/0006_world_first_contest_leaderboard.sql",
      "views/0007_team_activity_version_leaderboard.sql",
      "views/0009_team_pantheon_custom_race_leaderboard.sql",
    ])
    expect(newMigrations).toContain("migrations/0111_raw_pgcr_gzip_storage.sql")
    const [config] = await db.sql`SELECT updated_at, created_at FROM subscriptions.discord_destination_config`
    expect(config!.updated_at).toBeInstanceOf(Date)
    expect(config!.created_at).toBeInstanceOf(Date)
    // Recreated views come back populated, with numbers, and readable by the reader role.
    await db.sql.begin(async (tx) => {
      await tx`SET LOCAL ROLE readonly`
      const [after] =
        await tx`SELECT membership_ids::text AS ids, time_after_launch FROM leaderboard.world_first_contest_leaderboard LIMIT 1`
      expect(after!.ids).toMatch(/^\[\d+/)
      expect(typeof after!.time_after_launch).toBe("number")
      const [team] = await tx`SELECT value FROM leaderboard.team_activity_version_leaderboard LIMIT 1`
      expect(typeof team!.value).toBe("number")
    })

    const [{ data: old }] = (await db.sql`SELECT data FROM raw.pgcr`) as unknown as [{ data: Uint8Array }]
    const converted = await convertRawPgcrBatch(db.sql, { after: 0n, limit: 100, dryRun: false })
    expect(converted).toMatchObject({ scanned: 1, zstd: 1, converted: 1, failed: [] })
    const [{ data: now }] = (await db.sql`SELECT data FROM raw.pgcr`) as unknown as [{ data: Uint8Array }]
    expect(decodeRawPgcr(now)).toEqual(decodeRawPgcr(old))
    expect(JSON.parse(new TextDecoder().decode(decodeRawPgcr(now)))).toEqual(
      (JSON.parse(new TextDecoder().decode(item.raw)) as { Response: unknown }).Response,
    )

    expect((await runPostgresMigrations(db.sql, { logger: silent })).applied).toEqual([])
  })

  test("the roles migration runs again where the roles exist, and on a fresh database of the same server", async () => {
    const roles = await db.sql`SELECT rolname FROM pg_roles WHERE rolname IN ('readonly', 'raidhub_api_writer') ORDER BY rolname`
    expect(roles.map((r) => r.rolname)).toEqual(["raidhub_api_writer", "readonly"])
    const file = await Bun.file(join(REPO_ROOT, "sql", "migrations", "0112_public_api_roles.sql")).text()
    await db.sql.begin((tx) => tx.unsafe(file).simple())
    const other = await createTestDatabase({ migrate: true })
    await other.drop()
  })

  test("ClickHouse: weapon_meta_by_hour is rebuilt under the API's column names with its sums", async () => {
    await runClickhouseMigrations(ch.client, {
      dirs: [beforeDir("clickhouse", "migrations", OLD_CH_MIGRATIONS), beforeDir("clickhouse", "views", OLD_CH_VIEWS)],
      logger: silent,
    })
    const [loaded] = await loadProcessedInstances(db.sql, [fixtureItem("7315438924.json").instance.instanceId])
    // Recent enough for the table's one-month TTL window.
    const recent = {
      ...loaded!.instance,
      dateStarted: new Date(Date.now() - 7_200_000).toISOString(),
      dateCompleted: new Date(Date.now() - 3_600_000).toISOString(),
    }
    const row = toClickhouseInstanceRow(recent, loaded!.activityId, loaded!.versionId)
    await ch.client.insert({ table: "instance", values: [row], format: "JSONEachRow" })
    const sums = async (kills: string, precision: string) => {
      const rs = await ch.client.query({
        query: `SELECT sum(usage_count) AS usage, sum(${kills}) AS kills, sum(${precision}) AS precision FROM weapon_meta_by_hour`,
        format: "JSONEachRow",
      })
      return (await rs.json<{ usage: string; kills: string; precision: string }>())[0]!
    }
    const before = await sums("kills", "precision_kills")
    expect(Number(before.usage)).toBeGreaterThan(0)

    const upgrade = await runClickhouseMigrations(ch.client, { logger: silent })
    expect(upgrade.applied).toEqual(["migrations/0003_public_api_weapon_meta.sql", "views/0003_weapon_meta_by_hour_mv.sql"])
    expect(await sums("kill_count", "precision_kill_count")).toEqual(before)
    // The recreated view feeds the renamed columns.
    await ch.client.insert({ table: "instance", values: [{ ...row, instance_id: "99999999999" }], format: "JSONEachRow" })
    const doubled = await sums("kill_count", "precision_kill_count")
    expect(Number(doubled.kills)).toBe(2 * Number(before.kills))
    expect((await runClickhouseMigrations(ch.client, { logger: silent })).applied).toEqual([])
  })
})

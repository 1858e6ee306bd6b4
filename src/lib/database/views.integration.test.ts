/**
 * Leaderboard and cache materialized views: each refreshes CONCURRENTLY (needs a unique index and
 * a populated view) on an empty schema and on a small populated one, with sensible rows, and
 * each views file can be applied again over itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { REPO_ROOT } from "../fixtures-path.ts"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

const VIEWS_DIR = join(REPO_ROOT, "sql", "views")
const VIEWS = [
  "cache._global_leaderboard_cache",
  "cache._individual_activity_leaderboard_cache",
  "leaderboard.individual_global_leaderboard",
  "leaderboard.individual_raid_leaderboard",
  "leaderboard.individual_pantheon_version_leaderboard",
  "leaderboard.world_first_contest_leaderboard",
  "leaderboard.team_activity_version_leaderboard",
  "leaderboard.clan_leaderboard",
  "leaderboard.team_pantheon_custom_race_leaderboard",
]

const P1 = 4611686018400000001n
const P2 = 4611686018400000002n
const P3 = 4611686018400000003n

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})

afterAll(async () => {
  await db?.drop()
})

async function refreshAll(): Promise<void> {
  for (const view of VIEWS) await db.sql.unsafe(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`)
}

async function countRows(view: string): Promise<number> {
  const [row] = await db.sql.unsafe(`SELECT count(*)::int AS n FROM ${view}`)
  return row!.n as number
}

/** Salvation's Edge (14) released 2024-06-07 17:00 UTC; contest ended 06-09, week one 06-11. */
async function populate(): Promise<void> {
  await db.sql`
    INSERT INTO core.player (membership_id, membership_type, display_name, first_seen, last_seen, clears,
                             fresh_clears, sherpas, total_time_played_seconds, sum_of_best, wfr_score, cheat_level)
    VALUES (${String(P1)}, 3, 'One', '2024-06-07T18:00:00Z', '2026-06-14T18:00:00Z', 3, 3, 0, 90000, 4000, 1.0, 0),
           (${String(P2)}, 3, 'Two', '2024-06-07T18:00:00Z', '2024-06-20T19:00:00Z', 2, 2, 1, 70000, NULL, 0.5, 0),
           (${String(P3)}, 3, 'Cheat', '2024-06-07T18:00:00Z', '2024-06-08T13:00:00Z', 1, 1, 0, 60000, NULL, 0, 3)`
  await db.sql`
    INSERT INTO core.instance (instance_id, hash, score, completed, fresh, flawless, player_count,
                               date_started, date_completed, duration, platform_type)
    VALUES (15000000001, 2192826039, 0, true, true, false, 2, '2024-06-07T18:00:00Z', '2024-06-08T12:00:00Z', 64800, 3),
           (15000000002, 2192826039, 0, true, true, false, 1, '2024-06-07T18:00:00Z', '2024-06-08T11:00:00Z', 61200, 3),
           (15000000003, 1541433876, 0, true, true, false, 2, '2024-06-20T18:00:00Z', '2024-06-20T19:00:00Z', 3600, 3),
           (15000000004, 747671496, 5000, true, true, true, 1, '2026-06-14T17:00:00Z', '2026-06-14T18:00:00Z', 3600, 3),
           (15000000005, 1541433876, 0, false, true, false, 1, '2024-06-21T18:00:00Z', '2024-06-21T18:30:00Z', 1800, 3)`
  await db.sql`
    INSERT INTO core.instance_player (instance_id, membership_id, completed, time_played_seconds, sherpas, is_first_clear)
    VALUES (15000000001, ${String(P1)}, true, 64800, 0, true),
           (15000000001, ${String(P2)}, true, 64800, 0, true),
           (15000000002, ${String(P3)}, true, 61200, 0, true),
           (15000000003, ${String(P1)}, true, 3600, 0, false),
           (15000000003, ${String(P2)}, true, 3600, 1, false),
           (15000000004, ${String(P1)}, true, 3600, 0, true),
           (15000000005, ${String(P2)}, false, 1800, 0, false)`
  await db.sql`
    INSERT INTO core.player_stats (membership_id, activity_id, clears, fresh_clears, sherpas, fastest_instance_id, total_time_played_seconds)
    VALUES (${String(P1)}, 14, 2, 2, 0, 15000000003, 68400),
           (${String(P2)}, 14, 1, 1, 1, 15000000003, 70200),
           (${String(P3)}, 14, 1, 1, 0, 15000000002, 61200),
           (${String(P1)}, 102, 1, 1, 0, 15000000004, 3600)`
  // The 11:00 solo "world first" is a known cheat: blacklisted, so it must not lead the race.
  await db.sql`INSERT INTO flagging.blacklist_instance (instance_id, report_source, reason) VALUES (15000000002, 'CheatCheck', 'test')`
  await db.sql`INSERT INTO clan.clan (group_id, name) VALUES (5000001, 'Clan')`
  await db.sql`
    INSERT INTO clan.clan_members (group_id, membership_id)
    VALUES (5000001, ${String(P1)}), (5000001, ${String(P2)}), (5000001, ${String(P3)})`
}

describe("materialized views", () => {
  test("every view has a unique index", async () => {
    for (const view of VIEWS) {
      const [schema, name] = view.split(".")
      const [row] = await db.sql`
        SELECT count(*)::int AS n FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname
        JOIN pg_index x ON x.indexrelid = c.oid
        WHERE i.schemaname = ${schema!} AND i.tablename = ${name!} AND x.indisunique`
      expect({ view, unique: row!.n > 0 }).toEqual({ view, unique: true })
    }
  })

  test("refresh concurrently on an empty schema", async () => {
    await refreshAll()
    for (const view of VIEWS) expect({ view, rows: await countRows(view) }).toEqual({ view, rows: 0 })
  })

  test("refresh concurrently on a populated schema yields sensible rows", async () => {
    await populate()
    await refreshAll()

    const cache = await db.sql`SELECT membership_id, total_count FROM cache._global_leaderboard_cache ORDER BY membership_id`
    expect(cache.map((r) => [r.membership_id, Number(r.total_count)])).toEqual([
      [P1, 2],
      [P2, 2],
    ])
    const activityCache = await db.sql`
      SELECT activity_id, membership_id, total_count FROM cache._individual_activity_leaderboard_cache ORDER BY activity_id, membership_id`
    expect(activityCache.map((r) => [r.activity_id, r.membership_id, Number(r.total_count)])).toEqual([
      [14, P1, 2],
      [14, P2, 2],
      [102, P1, 1],
    ])

    const global = await db.sql`SELECT * FROM leaderboard.individual_global_leaderboard ORDER BY clears_position`
    expect(global.map((r) => r.membership_id)).toEqual([P1, P2])
    expect(global[0]).toMatchObject({ clears: 3, clears_rank: 1n, speed: 4000, speed_position: 1n, wfr_score_position: 1n })
    expect(global[0]!.clears_percentile).toBe(1)
    expect(global[1]).toMatchObject({ sherpas: 1, sherpas_position: 1n, speed: null, speed_position: 2n })

    const raid =
      await db.sql`SELECT activity_id, membership_id, clears_position FROM leaderboard.individual_raid_leaderboard ORDER BY activity_id, clears_position`
    // Pantheon (102) is not a raid; the cheater is hidden.
    expect(raid.map((r) => [r.activity_id, r.membership_id, Number(r.clears_position)])).toEqual([
      [14, P1, 1],
      [14, P2, 2],
    ])

    const pantheon = await db.sql`SELECT * FROM leaderboard.individual_pantheon_version_leaderboard`
    expect(pantheon).toHaveLength(1)
    expect(pantheon[0]).toMatchObject({
      version_id: 134,
      membership_id: P1,
      clears: 1n,
      fresh_clears: 1n,
      score: 5000n,
      score_position: 1n,
    })

    const worldFirst = await db.sql`SELECT * FROM leaderboard.world_first_contest_leaderboard ORDER BY activity_id, position`
    expect(worldFirst).toHaveLength(1)
    expect(worldFirst[0]).toMatchObject({
      activity_id: 14,
      version_id: 32,
      position: 1n,
      rank: 1n,
      instance_id: 15000000001n,
      time_after_launch: 19 * 3600,
      is_challenge_mode: false,
    })
    // Exact JSON numbers, found the way the public API searches: the id as text cast to jsonb.
    const [ids] = await db.sql`SELECT membership_ids::text AS ids FROM leaderboard.world_first_contest_leaderboard`
    expect(ids!.ids).toBe(`[${P1}, ${P2}]`)
    const byMember = await db.sql`
      SELECT instance_id FROM leaderboard.world_first_contest_leaderboard WHERE membership_ids @> ${String(P2)}::text::jsonb`
    expect(byMember.map((r) => r.instance_id)).toEqual([15000000001n])

    const team = await db.sql`
      SELECT activity_id, version_id, position, instance_id, value
      FROM leaderboard.team_activity_version_leaderboard ORDER BY activity_id, version_id, position`
    expect(team.map((r) => [r.activity_id, r.version_id, Number(r.position), r.instance_id, r.value])).toEqual([
      [14, 1, 1, 15000000003n, 13 * 86400 + 2 * 3600],
      [14, 32, 1, 15000000001n, 19 * 3600],
      // Uses the hash's release_date_override (2026-06-13 17:00), not the activity's release.
      [102, 134, 1, 15000000004n, 86400 + 3600],
    ])

    const [clan] = await db.sql`SELECT * FROM leaderboard.clan_leaderboard`
    expect(clan).toMatchObject({ group_id: 5000001n, name: "Clan", known_member_count: 3n, clears: 6n, sherpas: 1n, average_clears: 2n })
    expect(clan!.total_contest_score).toBeCloseTo(1.5, 9)
    const weighted = (3 * (1.0 * 0.9 ** -5 + 0.5 * 0.9 ** -4)) / Math.cbrt(4)
    expect(clan!.weighted_contest_score).toBeCloseTo(weighted, 9)
  })

  test("the Pantheon race counts completions in its window with exactly five distinct feats", async () => {
    const feats = [1000000001n, 1000000002n, 1000000003n, 1000000004n, 1000000005n, 1000000006n]
    const EMPTY_FEAT = 790421403n
    const NOT_A_FEAT = 2000000000n
    await db.sql`
      INSERT INTO definitions.activity_feat_definition (hash, skull_hash, name)
      SELECT 3000000000 + s, s, 'Feat: ' || s FROM unnest(${[...feats, EMPTY_FEAT].map(String)}::bigint[]) s`
    const five = feats.slice(0, 5)
    // [id, completed at, skulls, blacklisted]
    const runs: [bigint, string, bigint[], boolean][] = [
      [16000000002n, "2026-06-13T19:00:00Z", [...five, EMPTY_FEAT, NOT_A_FEAT], false], // second
      [16000000001n, "2026-06-13T18:00:00Z", [...five].reverse(), false], // first
      [16000000003n, "2026-06-13T19:00:00Z", five, false], // ties the second on time: rank 2, position 3
      [16000000004n, "2026-06-13T17:30:00Z", [...five.slice(0, 4), NOT_A_FEAT, EMPTY_FEAT], false], // four feats
      [16000000005n, "2026-06-13T17:40:00Z", [...five.slice(0, 4), five[0]!], false], // a repeat: four distinct
      [16000000006n, "2026-06-13T17:50:00Z", feats, false], // six feats
      [16000000007n, "2026-06-15T17:00:00Z", five, false], // the window is closed at its end
      [16000000008n, "2026-06-13T17:20:00Z", five, true], // blacklisted
    ]
    for (const [id, completedAt, skulls] of runs) {
      await db.sql`
        INSERT INTO core.instance (instance_id, hash, completed, fresh, flawless, player_count, date_started, date_completed,
                                   duration, platform_type, skull_hashes)
        VALUES (${String(id)}, 747671496, true, true, false, 1, '2026-06-13T17:00:00Z', ${completedAt}, 600, 3, ${skulls.map(String)}::bigint[])`
      await db.sql`
        INSERT INTO core.instance_player (instance_id, membership_id, completed, time_played_seconds)
        VALUES (${String(id)}, ${String(P1)}, true, 600), (${String(id)}, ${String(P2)}, false, 60)`
    }
    for (const [id, , , blacklisted] of runs) {
      if (blacklisted)
        await db.sql`INSERT INTO flagging.blacklist_instance (instance_id, report_source, reason) VALUES (${String(id)}, 'Manual', 'test')`
    }
    await refreshAll()

    const race = await db.sql`
      SELECT position, rank, value, instance_id, membership_ids::text AS ids
      FROM leaderboard.team_pantheon_custom_race_leaderboard ORDER BY position`
    expect(race.map((r) => [Number(r.position), Number(r.rank), r.value, r.instance_id, r.ids])).toEqual([
      [1, 1, 3600, 16000000001n, `[${P1}]`],
      [2, 2, 7200, 16000000002n, `[${P1}]`],
      [3, 2, 7200, 16000000003n, `[${P1}]`],
    ])
    const [found] = await db.sql`
      SELECT min(position)::int AS position FROM leaderboard.team_pantheon_custom_race_leaderboard WHERE membership_ids @> ${String(P1)}::text::jsonb`
    expect(found!.position).toBe(1)
  })

  test("views files apply again over themselves and still refresh concurrently", async () => {
    const files = readdirSync(VIEWS_DIR)
      .filter((f) => f.endsWith(".sql"))
      .sort()
    expect(files.length).toBe(VIEWS.length)
    for (const file of files) {
      await db.sql.begin((tx) => tx.unsafe(readFileSync(join(VIEWS_DIR, file), "utf8")))
    }
    await refreshAll()
    expect(await countRows("leaderboard.individual_global_leaderboard")).toBe(2)
  })
})

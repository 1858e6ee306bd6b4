/**
 * The Postgres schema as the migration runner applies it to an empty database: every schema and
 * table exists, the generated columns compute what the original's did, and the crawl tables
 * enforce their invariants (non-overlapping leases, ledger states, outbox claiming).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})

afterAll(async () => {
  await db?.drop()
})

describe("migrations on an empty database", () => {
  test("create every schema and table the original has, plus crawl", async () => {
    const rows = await db.sql<{ name: string }[]>`
      SELECT table_schema || '.' || table_name AS name
      FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'public')`
    const tables = new Set(rows.map((r) => r.name))
    const expected = [
      "definitions.activity_definition",
      "definitions.version_definition",
      "definitions.activity_version",
      "definitions.season",
      "definitions.weapon_definition",
      "definitions.class_definition",
      "definitions.activity_feat_definition",
      "core.player",
      "core.instance",
      "core.instance_player",
      "core.player_stats",
      "extended.instance_character",
      "extended.instance_character_weapon",
      "raw.pgcr",
      "clan.clan",
      "clan.clan_members",
      "flagging.flag_instance",
      "flagging.flag_instance_player",
      "flagging.blacklist_instance",
      "flagging.blacklist_instance_player",
      "subscriptions.destination",
      "subscriptions.discord_destination_config",
      "subscriptions.http_callback_destination_config",
      "subscriptions.rule",
      "crawl.crawler_state",
      "crawl.id_range_lease",
      "crawl.missed_pgcr",
      "crawl.gap_range",
      "crawl.outbox",
    ]
    for (const table of expected) expect(tables.has(table)).toBe(true)
  })

  test("64-bit id columns are bigint", async () => {
    const rows = await db.sql<{ name: string; data_type: string }[]>`
      SELECT table_schema || '.' || table_name || '.' || column_name AS name, data_type
      FROM information_schema.columns
      WHERE column_name IN ('instance_id', 'membership_id', 'character_id', 'group_id', 'fastest_instance_id',
                            'low_water_mark', 'range_start', 'range_end', 'start_id', 'end_id')
        AND table_schema IN ('core', 'extended', 'raw', 'clan', 'flagging', 'subscriptions', 'crawl')`
    expect(rows.length).toBeGreaterThan(20)
    for (const row of rows) expect(`${row.name}:${row.data_type}`).toBe(`${row.name}:bigint`)
  })

  test("generated columns: day_one_end, bungie_name, _search_score, season_id", async () => {
    const [activity] = await db.sql`SELECT release_date, day_one_end FROM definitions.activity_definition WHERE id = 14`
    expect((activity!.day_one_end as Date).getTime() - (activity!.release_date as Date).getTime()).toBe(86_400_000)

    await db.sql`
      INSERT INTO core.player (membership_id, membership_type, display_name, bungie_global_display_name,
                               bungie_global_display_name_code, first_seen, last_seen, clears, wfr_score)
      VALUES (4611686018467284386, 3, 'Legacy', 'Newo', '0042', '2024-06-07T18:00:00Z', '2024-06-08T18:00:00Z', 3, 0),
             (4611686018467284387, 3, 'OnlyDisplay', NULL, NULL, '2017-01-01T00:00:00Z', '2017-01-01T00:00:00Z', 0, 0)`
    const players = await db.sql<{ membership_id: bigint; bungie_name: string; _search_score: number }[]>`
      SELECT membership_id, bungie_name, _search_score FROM core.player ORDER BY membership_id`
    expect(players[0]!.membership_id).toBe(4611686018467284386n)
    expect(players[0]!.bungie_name).toBe("Newo#0042")
    expect(players[1]!.bungie_name).toBe("OnlyDisplay")
    // sqrt(0 + 1) * 2^0 * sqrt(0 + 1): last_seen before 2017-08-27 clamps the recency term to 1.
    expect(players[1]!._search_score).toBeCloseTo(1, 9)
    const seconds = Date.parse("2024-06-08T18:00:00Z") / 1000 - 1503792000
    expect(players[0]!._search_score).toBeCloseTo(2 * 2 ** (seconds / 2e7), 6)

    await db.sql`
      INSERT INTO core.instance (instance_id, hash, completed, fresh, flawless, player_count, date_started,
                                 date_completed, duration, platform_type)
      VALUES (15000000000, 2192826039, true, true, false, 6, '2024-06-07T18:00:00Z', '2024-06-08T10:00:00Z', 57600, 3)`
    const [instance] = await db.sql`SELECT season_id, skull_hashes FROM core.instance WHERE instance_id = 15000000000`
    expect(instance!.season_id).toBe(await seasonAt("2024-06-07T18:00:00Z"))
    expect(instance!.skull_hashes).toEqual([])
  })

  test("get_season raises before the first season", async () => {
    await expect(db.sql`SELECT definitions.get_season('2010-01-01T00:00:00Z')`).rejects.toThrow(/no season/)
  })

  test("weapon enum helpers map manifest numbers", async () => {
    const [row] = await db.sql`
      SELECT definitions.get_weapon_type(31)::text AS t, definitions.get_weapon_element(7)::text AS e,
             definitions.get_weapon_slot(953998645)::text AS s, definitions.get_weapon_ammo_type(3)::text AS a,
             definitions.get_weapon_rarity('Exotic')::text AS r`
    expect(row).toEqual({ t: "Bow", e: "Strand", s: "Power", a: "Heavy", r: "Exotic" })
  })
})

describe("crawl tables", () => {
  test("active id leases cannot overlap; finished ones can be re-leased", async () => {
    await db.sql`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at)
      VALUES ('atlas', 100, 200, 'box-a', now() + interval '1 minute')`
    await expect(db.sql`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at)
      VALUES ('atlas', 150, 250, 'box-b', now() + interval '1 minute')`).rejects.toThrow(/id_range_lease_no_overlap/)
    // Half-open ranges: [200, 300) touches [100, 200) without overlapping.
    await db.sql`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at)
      VALUES ('atlas', 200, 300, 'box-b', now() + interval '1 minute')`
    await db.sql`UPDATE crawl.id_range_lease SET state = 'done', completed_at = now() WHERE range_start = 100`
    await db.sql`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at)
      VALUES ('atlas', 100, 200, 'box-c', now() + interval '1 minute')`
    await expect(db.sql`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at)
      VALUES ('atlas', 10, 10, 'box-c', now())`).rejects.toThrow(/id_range_lease_nonempty/)
  })

  test("crawler state keeps the low-water mark below the high-water mark", async () => {
    await db.sql`INSERT INTO crawl.crawler_state (crawler, low_water_mark, high_water_mark) VALUES ('atlas', 17100000000, 17100000500)`
    await expect(db.sql`UPDATE crawl.crawler_state SET high_water_mark = 1 WHERE crawler = 'atlas'`).rejects.toThrow(
      /crawler_state_marks_ordered/,
    )
  })

  test("missed ledger: due ids come from the partial index; resolved rows need a resolution", async () => {
    await db.sql`
      INSERT INTO crawl.missed_pgcr (instance_id, attempts, last_result, last_http_status, last_error_code, next_retry_at, state)
      VALUES (17100000001, 1, 'transient', 503, 1672, now() - interval '1 second', 'pending'),
             (17100000002, 1, 'blocked', 200, 12, now() - interval '1 second', 'blocked'),
             (17100000003, 9, 'notFound', 404, 1653, NULL, 'lost')`
    const due = await db.sql<{ instance_id: bigint }[]>`
      SELECT instance_id FROM crawl.missed_pgcr
      WHERE state IN ('pending', 'blocked') AND next_retry_at <= now() ORDER BY instance_id`
    expect(due.map((r) => r.instance_id)).toEqual([17100000001n, 17100000002n])
    await expect(db.sql`UPDATE crawl.missed_pgcr SET state = 'resolved' WHERE instance_id = 17100000001`).rejects.toThrow(
      /missed_pgcr_resolution_when_resolved/,
    )
    await db.sql`UPDATE crawl.missed_pgcr SET state = 'resolved', resolution = 'nonRaid', resolved_at = now() WHERE instance_id = 17100000001`
    await db.sql`INSERT INTO crawl.gap_range (start_id, end_id, reason) VALUES (17100001000, 17100002000, 'dead block past frontier')`
    await expect(db.sql`INSERT INTO crawl.gap_range (start_id, end_id, reason) VALUES (5, 5, 'empty')`).rejects.toThrow(
      /gap_range_nonempty/,
    )
  })

  test("outbox: two relays claim disjoint rows with FOR UPDATE SKIP LOCKED", async () => {
    const payload = Buffer.from(JSON.stringify({ instanceId: "17100000001" }))
    await db.sql`
      INSERT INTO crawl.outbox (topic, payload)
      SELECT t, ${payload} FROM unnest(ARRAY['clickhouse.instance', 'queue.player_crawl', 'queue.character_fill', 'queue.pgcr_cheat_check']) t`
    await expect(db.sql`INSERT INTO crawl.outbox (topic, payload) VALUES ('Bad Topic', ${payload})`).rejects.toThrow(/outbox_topic_format/)

    const claim = (tx: typeof db.sql) => tx<{ id: bigint }[]>`
      SELECT id FROM crawl.outbox
      WHERE delivered_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at, id LIMIT 2 FOR UPDATE SKIP LOCKED`
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let firstClaim: bigint[] = []
    let signal!: () => void
    const claimed = new Promise<void>((resolve) => (signal = resolve))
    const first = db.sql.begin(async (tx) => {
      firstClaim = (await claim(tx as unknown as typeof db.sql)).map((r) => r.id)
      signal()
      await held
      await tx`DELETE FROM crawl.outbox WHERE id = ANY(${firstClaim.map(String)}::bigint[])`
    })
    await claimed
    let secondClaim: bigint[] = []
    try {
      secondClaim = await db.sql.begin(async (tx) => {
        const ids = (await claim(tx as unknown as typeof db.sql)).map((r) => r.id)
        await tx`UPDATE crawl.outbox SET delivered_at = now() WHERE id = ANY(${ids.map(String)}::bigint[])`
        return ids
      })
    } finally {
      release()
      await first
    }
    expect(firstClaim).toHaveLength(2)
    expect(secondClaim).toHaveLength(2)
    expect(firstClaim.some((id) => secondClaim.includes(id))).toBe(false)
    const [left] = await db.sql`SELECT count(*)::int AS n FROM crawl.outbox WHERE delivered_at IS NULL`
    expect(left!.n).toBe(0)
  })
})

async function seasonAt(iso: string): Promise<number> {
  const [row] = await db.sql`SELECT id FROM definitions.season WHERE start_date < ${iso}::timestamptz ORDER BY start_date DESC LIMIT 1`
  return row!.id as number
}

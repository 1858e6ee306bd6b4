/**
 * The RaidHub public API works unmodified on our databases (issue 12; docs/public-api-contract.md).
 *
 * 1. The contract (public-api-contract.json): every relation and column the API reads or writes
 *    exists with a type the API decodes correctly, with the keys, defaults, generated columns,
 *    cascades, enum labels, names and privileges its statements rely on; ClickHouse likewise.
 * 2. Its queries (public-api-queries.ts) on data stored from the real PGCR fixtures through the
 *    instance store, plus rows the fixtures cannot produce (a Pantheon race run inside the race
 *    window, feats, a clan, weapon definitions): each "Done when" query of the issue returns rows,
 *    run as the API runs it (its search_path, as the readonly / raidhub_api_writer role), and
 *    every result column arrives in the JS type the API's parsers and zod contract expect.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureJson, readPgcrFixtureText } from "../fixtures.ts"
import { unwrapPgcrEnvelope } from "../pgcr/envelope.ts"
import { processPgcr } from "../pgcr/process.ts"
import { toClickhouseInstanceRow } from "./clickhouse-instance-row.ts"
import { syncClickhouseWeaponDefinitions } from "./clickhouse-weapon-definitions.ts"
import { loadProcessedInstances } from "./instance-loader.ts"
import { type StoreItem, storeInstances } from "./instance-store.ts"
import contract from "./public-api-contract.json"
import * as q from "./public-api-queries.ts"
import { listMaterializedViews, refreshMaterializedViews } from "./refresh-views.ts"
import { createTestClickhouse, createTestDatabase, type TestClickhouse, type TestDatabase } from "./testing.ts"

type Conn = Awaited<ReturnType<TestDatabase["sql"]["reserve"]>>
type ColumnSpec = [token: string, access: string]
interface RelationSpec {
  columns: Record<string, ColumnSpec>
}

const postgresContract = contract.postgres as unknown as Record<string, RelationSpec>
const clickhouseContract = contract.clickhouse as Record<string, { columns: Record<string, string> }>
const tokens = contract.typeTokens as Record<string, { postgres?: string[] | null; clickhouse?: string }>

const RACE_INSTANCE = "17500000001"
const RACE_HASH = "747671496" // Insurrection Prime Revolutionary (activity 102, version 134)
const FEAT_SKULLS = ["1000000001", "1000000002", "1000000003", "1000000004", "1000000005"]
const EMPTY_FEAT_SKULL = "790421403"
const DSC_LAUNCH_RUN = "7315438924" // Deep Stone Crypt, started 18:01 on launch day: a world-first entry
const SOLO_FLAWLESS = "14287236297" // Root of Nightmares, solo, fresh: its player's fastest clear
const CLAN_ID = "4000001"

let db: TestDatabase
let ch: TestClickhouse
let storedIds: string[]
let dscFinisher: string
let soloPlayer: string

// The JS value kind the API gets for a result column, from its pg type parsers (research §0).
function apiKind(oid: number): string {
  switch (oid) {
    case 20:
      return "bigint"
    case 1016:
      return "bigint[]"
    case 21:
    case 23:
    case 700:
    case 701:
      return "number"
    case 1700:
      return "numeric string"
    case 16:
      return "boolean"
    case 1184:
      return "Date"
    case 1114:
      return "local Date"
    case 114:
    case 3802:
      return "json"
    case 17:
      return "Buffer"
    case 25:
    case 1043:
      return "string"
    default:
      return `oid ${oid}`
  }
}

/** Rows as plain values for matchers (postgres.js row types do not accept asymmetric matchers). */
function plain(rows: readonly object[]): unknown {
  return [...rows]
}

function kindsOf(result: { columns: readonly { name: string; type: number }[] }): Record<string, string> {
  return Object.fromEntries(result.columns.map((c) => [c.name, apiKind(c.type)]))
}

/** Runs `body` on one connection set up like the API's pools: its search_path, UTC, the role. */
async function asApi<T>(role: "readonly" | "raidhub_api_writer", body: (conn: Conn) => Promise<T>): Promise<T> {
  const conn = await db.sql.reserve()
  try {
    await conn.unsafe(`SET search_path TO ${q.API_SEARCH_PATH}; SET TimeZone TO 'UTC'; SET ROLE ${role}`).simple()
    return await body(conn)
  } finally {
    await conn.unsafe("RESET ROLE; RESET search_path").simple()
    conn.release()
  }
}

/** The API's fallback: the snapshot table first, the view when the table does not exist. */
async function withPantheonRaceSource<T>(run: (source: string) => Promise<T>): Promise<T> {
  try {
    return await run("pantheon_custom_race_snapshot")
  } catch (error) {
    if ((error as { code?: string }).code === "42P01") return run("team_pantheon_custom_race_leaderboard")
    throw error
  }
}

function isUInt32(value: unknown): boolean {
  return typeof value === "bigint" && value > 0n && value <= 4294967295n
}

function fixtureItems(): StoreItem[] {
  const defs = loadDefinitions()
  const items: StoreItem[] = []
  for (const name of listPgcrFixtureNames()) {
    const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
    if (unwrapped.kind !== "ok") continue
    const result = processPgcr(unwrapped.body, defs)
    if (result.kind !== "raid") continue
    items.push({
      instance: result.instance,
      activityId: result.activityId,
      versionId: result.versionId,
      raw: new TextEncoder().encode(readPgcrFixtureText(name)),
    })
  }
  return items
}

/** A Pantheon race run the fixtures cannot produce: a fixture's fireteam, on version 134, inside the window, five feats. */
function raceItem(base: StoreItem): StoreItem {
  const instance = {
    ...base.instance,
    instanceId: RACE_INSTANCE,
    hash: Number(RACE_HASH),
    completed: true,
    dateStarted: "2026-06-13T17:30:00Z",
    dateCompleted: "2026-06-13T18:15:00Z",
    durationSeconds: 2700,
    skullHashes: [...FEAT_SKULLS, EMPTY_FEAT_SKULL].map(Number),
    players: base.instance.players.map((p) => ({ ...p, finished: true })),
  }
  const raw = JSON.stringify({
    Response: {
      period: instance.dateStarted,
      activityDetails: { instanceId: RACE_INSTANCE, directorActivityHash: Number(RACE_HASH), mode: 4 },
      entries: [],
    },
    ErrorCode: 1,
  })
  return { instance, activityId: 102, versionId: 134, raw: new TextEncoder().encode(raw) }
}

beforeAll(async () => {
  ;[db, ch] = await Promise.all([createTestDatabase({ migrate: true }), createTestClickhouse({ migrate: true })])
  const items = fixtureItems()
  const dsc = items.find((i) => i.instance.instanceId === DSC_LAUNCH_RUN)!
  dscFinisher = dsc.instance.players.find((p) => p.finished)!.player.membershipId
  soloPlayer = items.find((i) => i.instance.instanceId === SOLO_FLAWLESS)!.instance.players[0]!.player.membershipId
  const report = await storeInstances(db.sql, [...items, raceItem(dsc)])
  storedIds = report.storedIds
  await db.sql`
    INSERT INTO definitions.activity_feat_definition (hash, skull_hash, name, description, icon_path, description_short, modifier_power_contribution)
    SELECT 3000000000 + s, s, 'Feat: ' || s, 'test feat', '/feat.png', 'feat', 10
    FROM unnest(${[...FEAT_SKULLS, EMPTY_FEAT_SKULL]}::bigint[]) s`
  await db.sql`INSERT INTO clan.clan (group_id, name, call_sign, motto) VALUES (${CLAN_ID}, 'Compat', 'API', 'drop-in')`
  await db.sql`
    INSERT INTO clan.clan_members (group_id, membership_id)
    SELECT ${CLAN_ID}, membership_id FROM core.instance_player WHERE instance_id = ${DSC_LAUNCH_RUN}`
  await refreshMaterializedViews(db.sql, await listMaterializedViews(db.sql))

  // ClickHouse: every stored instance as the relay delivers it, dated within the API's windows.
  const loaded = await loadProcessedInstances(db.sql, storedIds)
  const now = Date.now()
  const rows = loaded.map((l, i) => {
    const completed = now - (i + 1) * 1_800_000
    const instance = {
      ...l.instance,
      dateStarted: new Date(completed - 1_200_000).toISOString(),
      dateCompleted: new Date(completed).toISOString(),
    }
    return toClickhouseInstanceRow(instance, l.activityId, l.versionId)
  })
  await ch.client.insert({ table: "instance", values: rows, format: "JSONEachRow" })
  const weaponHashes = [
    ...new Set(loaded.flatMap((l) => l.instance.players.flatMap((p) => p.characters.flatMap((c) => c.weapons.map((w) => w.weaponHash))))),
  ]
  const slots = ["Kinetic", "Energy", "Power"]
  for (const [i, hash] of weaponHashes.entries()) {
    await db.sql`
      INSERT INTO definitions.weapon_definition (hash, name, icon_path, weapon_type, element, slot, ammo_type, rarity)
      VALUES (${hash}, ${`Weapon ${hash}`}, '/w.png', 'Auto Rifle', 'Kinetic', ${slots[i % 3]!}, 'Primary', 'Legendary')`
  }
  await syncClickhouseWeaponDefinitions(db.sql, ch.client)
})

afterAll(async () => {
  await Promise.all([db?.drop(), ch?.drop()])
})

describe("the contract: relations, columns and types", () => {
  test("every Postgres relation and column the API uses exists with a type it handles", async () => {
    const rows = await db.sql<{ relation: string; column: string; type: string; is_enum: boolean; type_schema: string }[]>`
      SELECT n.nspname || '.' || c.relname AS relation, a.attname AS column, t.typname AS type,
             t.typtype = 'e' AS is_enum, tn.nspname AS type_schema
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
      WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname = ANY(${[...contract.searchPath, "subscriptions"]})`
    const actual = new Map(rows.map((r) => [`${r.relation}.${r.column}`, r]))
    const problems: string[] = []
    let checked = 0
    for (const [relation, spec] of Object.entries(postgresContract)) {
      const optional = relation in contract.optionalRelations
      if (optional && !rows.some((r) => r.relation === relation)) continue
      for (const [column, [token]] of Object.entries(spec.columns)) {
        checked++
        const found = actual.get(`${relation}.${column}`)
        if (!found) {
          problems.push(`${relation}.${column}: missing`)
          continue
        }
        const enumName = /^([a-z_]+)\."(\w+)"$/.exec(token)
        const accepted = enumName ? null : tokens[token]?.postgres
        const ok = enumName
          ? found.is_enum && found.type_schema === enumName[1] && found.type === enumName[2]
          : accepted === null || (accepted ?? []).some((t) => t === found.type || (t === "enum" && found.is_enum))
        if (!ok) problems.push(`${relation}.${column}: ${found.type} where the API needs ${token}`)
      }
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(220)
  })

  test("the optional snapshot table is absent, so the API reads our Pantheon race view", async () => {
    const [row] = await db.sql`SELECT to_regclass('leaderboard.pantheon_custom_race_snapshot') AS t`
    expect(row!.t).toBeNull()
  })

  test("every ClickHouse table and column the API reads exists with a type it handles", async () => {
    const rs = await ch.client.query({
      query: "SELECT table, name, type FROM system.columns WHERE database = currentDatabase()",
      format: "JSONEachRow",
    })
    const actual = new Map((await rs.json<{ table: string; name: string; type: string }>()).map((r) => [`${r.table}.${r.name}`, r.type]))
    const problems: string[] = []
    for (const [table, spec] of Object.entries(clickhouseContract)) {
      for (const [column, token] of Object.entries(spec.columns)) {
        const type = actual.get(`${table}.${column}`)
        const kind = tokens[token]?.clickhouse
        const ok =
          type !== undefined &&
          (kind === "integer"
            ? /^U?Int(8|16|32|64)$/.test(type)
            : kind === "DateTime"
              ? type.startsWith("DateTime")
              : /^(LowCardinality\()?String\)?$/.test(type))
        if (!ok) problems.push(`${table}.${column}: ${type ?? "missing"} where the API needs ${token}`)
      }
    }
    expect(problems).toEqual([])
  })
})

describe("the contract: keys, defaults, computed columns, names, privileges", () => {
  test("ON CONFLICT targets are unique keys", async () => {
    for (const [relation, columns] of Object.entries(contract.uniqueKeys)) {
      const [row] = await db.sql`
        SELECT count(*)::int AS n FROM pg_catalog.pg_index x
        WHERE x.indrelid = ${relation}::regclass AND x.indisunique AND x.indpred IS NULL
          AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)) = ${[...columns].sort()}::text[]`
      expect({ relation, unique: row!.n > 0 }).toEqual({ relation, unique: true })
    }
  })

  test("each INSERT the API makes supplies every NOT NULL column without a default, and writes no generated one", async () => {
    const problems: string[] = []
    for (const [relation, supplied] of Object.entries(contract.inserts)) {
      if (relation.startsWith("$")) continue
      const columns = await db.sql<{ name: string; required: boolean; generated: boolean }[]>`
        SELECT a.attname AS name,
               a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '' AS required,
               a.attgenerated <> '' AS generated
        FROM pg_catalog.pg_attribute a WHERE a.attrelid = ${relation}::regclass AND a.attnum > 0 AND NOT a.attisdropped`
      for (const c of columns) {
        if (c.required && !(supplied as string[]).includes(c.name)) problems.push(`${relation}.${c.name}: NOT NULL without a default`)
        if (c.generated && (supplied as string[]).includes(c.name)) problems.push(`${relation}.${c.name}: generated but written`)
      }
    }
    expect(problems).toEqual([])
  })

  test("columns the API reads but never writes are computed by the database", async () => {
    for (const qualified of contract.computedByDatabase.columns) {
      const [schema, table, column] = qualified.split(".")
      const [row] = await db.sql`
        SELECT a.attgenerated <> '' AS generated FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = ${`${schema}.${table}`}::regclass AND a.attname = ${column!}`
      expect({ qualified, generated: row?.generated }).toEqual({ qualified, generated: true })
    }
  })

  test("blacklist_instance_player rows go with their blacklist_instance; the report source enum has the API's labels", async () => {
    for (const { child, parent } of contract.cascadeDeletes) {
      const [row] = await db.sql`
        SELECT count(*)::int AS n FROM pg_catalog.pg_constraint
        WHERE contype = 'f' AND conrelid = ${child}::regclass AND confrelid = ${parent}::regclass AND confdeltype = 'c'`
      expect({ child, cascades: row!.n > 0 }).toEqual({ child, cascades: true })
    }
    for (const [name, labels] of Object.entries(contract.enumTypes)) {
      const [schema, type] = name.split(".")
      const rows = await db.sql`
        SELECT e.enumlabel FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = ${schema!} AND t.typname = ${type!} ORDER BY e.enumsortorder`
      expect(rows.map((r) => r.enumlabel).sort()).toEqual([...labels].sort())
    }
  })

  test("no column name makes the API's unqualified columns or USING joins ambiguous", async () => {
    const rows = await db.sql<{ relation: string; schema: string; column: string }[]>`
      SELECT n.nspname || '.' || c.relname AS relation, n.nspname AS schema, a.attname AS column
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'v', 'm', 'p')
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attnum > 0 AND NOT a.attisdropped`
    const clashes: string[] = []
    for (const [target, names] of Object.entries(contract.forbiddenColumns)) {
      if (target.startsWith("$")) continue
      const matches = target.endsWith(".*")
        ? (r: { schema: string }) => r.schema === target.slice(0, -2)
        : (r: { relation: string }) => r.relation === target
      for (const row of rows)
        if (matches(row as never) && (names as string[]).includes(row.column)) clashes.push(`${row.relation}.${row.column}`)
    }
    expect(clashes).toEqual([])
  })

  test("no relation shadows one the API uses from an earlier schema of its search_path", async () => {
    const rows = await db.sql<{ schema: string; name: string }[]>`
      SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND n.nspname = ANY(${contract.searchPath})`
    const shadowed: string[] = []
    for (const relation of Object.keys(postgresContract)) {
      const [schema, name] = relation.split(".")
      const position = contract.searchPath.indexOf(schema!)
      if (position < 0) continue
      for (const row of rows)
        if (row.name === name && contract.searchPath.indexOf(row.schema) < position)
          shadowed.push(`${row.schema}.${row.name} hides ${relation}`)
    }
    expect(shadowed).toEqual([])
  })

  test("readonly reads every relation of every schema and writes nothing; the writer has exactly its statements' privileges", async () => {
    const relations = await db.sql<{ relation: string }[]>`
      SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'v', 'm', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`
    const unreadable: string[] = []
    for (const { relation } of relations) {
      const [row] = await db.sql`
        SELECT has_table_privilege('readonly', ${relation}, 'SELECT') AS can_read,
               has_table_privilege('readonly', ${relation}, 'INSERT, UPDATE, DELETE, TRUNCATE') AS can_write`
      if (!row!.can_read || row!.can_write) unreadable.push(`${relation}: read ${row!.can_read}, write ${row!.can_write}`)
    }
    expect(unreadable).toEqual([])
    expect(relations.length).toBeGreaterThan(30)

    const writer = contract.roles.raidhub_api_writer
    const expectPrivilege = async (relation: string, privilege: string, expected: boolean) => {
      const [row] = await db.sql`SELECT has_table_privilege('raidhub_api_writer', ${relation}, ${privilege}) AS ok`
      expect({ relation, privilege, ok: row!.ok }).toEqual({ relation, privilege, ok: expected })
    }
    for (const relation of writer.select) await expectPrivilege(relation, "SELECT", true)
    for (const relation of writer.insert) await expectPrivilege(relation, "INSERT", true)
    for (const relation of writer.delete) await expectPrivilege(relation, "DELETE", true)
    for (const relation of writer.update) await expectPrivilege(relation, "UPDATE", true)
    for (const [relation, columns] of Object.entries(writer.updateColumns)) {
      for (const column of columns) {
        const [row] = await db.sql`SELECT has_column_privilege('raidhub_api_writer', ${relation}, ${column}, 'UPDATE') AS ok`
        expect({ relation, column, ok: row!.ok }).toEqual({ relation, column, ok: true })
      }
      await expectPrivilege(relation, "UPDATE", false) // not the whole row
    }
    await expectPrivilege("core.instance_player", "SELECT", false)
    await expectPrivilege("raw.pgcr", "SELECT", false)
  })
})

describe("the leaderboard views after a refresh", () => {
  test("every view the API reads is populated with rows of the expected shape", async () => {
    for (const view of contract.populatedMaterializedViews) {
      const [row] = await db.sql.unsafe(`SELECT count(*)::int AS n FROM ${view}`)
      expect({ view, hasRows: row!.n > 0 }).toEqual({ view, hasRows: true })
    }
    // Finisher arrays hold exact JSON numbers (searchable with @>), never strings.
    for (const view of ["world_first_contest_leaderboard", "team_activity_version_leaderboard", "team_pantheon_custom_race_leaderboard"]) {
      const [row] = await db.sql.unsafe(`
        SELECT count(*)::int AS rows,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(membership_ids) e WHERE jsonb_typeof(e) <> 'number'))::int AS not_numbers
        FROM leaderboard.${view}`)
      expect({ view, notNumbers: row!.not_numbers }).toEqual({ view, notNumbers: 0 })
    }
  })

  test("stored fixtures keep the invariants the API's transformers enforce", async () => {
    const [row] = await db.sql`
      SELECT
        (SELECT count(*)::int FROM core.instance
          WHERE hash NOT BETWEEN 1 AND 4294967295
             OR EXISTS (SELECT 1 FROM unnest(skull_hashes) s WHERE s NOT BETWEEN 1 AND 4294967295)) AS bad_hashes,
        (SELECT count(*)::int FROM core.instance_player ip
          WHERE NOT EXISTS (SELECT 1 FROM extended.instance_character c WHERE c.instance_id = ip.instance_id AND c.membership_id = ip.membership_id)) AS players_without_characters,
        (SELECT count(*)::int FROM core.instance i WHERE NOT EXISTS (SELECT 1 FROM raw.pgcr p WHERE p.instance_id = i.instance_id)) AS instances_without_pgcr,
        (SELECT count(*)::int FROM core.instance WHERE season_id IS NULL OR season_id <= 0) AS bad_seasons`
    expect(row).toEqual({ bad_hashes: 0, players_without_characters: 0, instances_without_pgcr: 0, bad_seasons: 0 })
  })
})

describe("the issue's Done-when queries, as the API runs them", () => {
  test("an instance with its players, characters, weapons and its team-leaderboard placement", async () => {
    await asApi("readonly", async (conn) => {
      const instance = await conn.unsafe(q.GET_INSTANCE, [DSC_LAUNCH_RUN])
      expect(instance).toHaveLength(1)
      expect(kindsOf(instance)).toMatchObject({
        instanceId: "bigint",
        hash: "bigint",
        activityId: "number",
        versionId: "number",
        playerCount: "number",
        score: "number",
        skullHashes: "bigint[]",
        dateStarted: "Date",
        dateCompleted: "Date",
        season: "number",
        duration: "number",
        platformType: "number",
        isDayOne: "boolean",
        isContest: "boolean",
        isWeekOne: "boolean",
        isBlacklisted: "boolean",
      })
      const row = instance[0]!
      expect(row.instanceId).toBe(BigInt(DSC_LAUNCH_RUN))
      expect(isUInt32(row.hash)).toBe(true)
      expect((row.skullHashes as bigint[]).every(isUInt32)).toBe(true)
      expect(row.isDayOne).toBe(true)

      const players = await conn.unsafe(q.GET_INSTANCE_PLAYERS, [DSC_LAUNCH_RUN])
      expect(kindsOf(players)).toMatchObject({
        completed: "boolean",
        sherpas: "number",
        timePlayedSeconds: "number",
        playerInfo: "json",
        characters: "json",
      })
      expect(players.length).toBe(10)
      for (const player of players) {
        expect(player.playerInfo.membershipId).toMatch(/^\d+$/)
        expect(player.characters.length).toBeGreaterThan(0)
        for (const character of player.characters) expect(character.characterId).toMatch(/^\d+$/)
      }
      const weapons = players.flatMap((p) => p.characters.flatMap((c: { weapons: { weaponHash: number; kills: number }[] }) => c.weapons))
      expect(weapons.length).toBeGreaterThan(10)
      expect(weapons.every((w) => typeof w.weaponHash === "number" && typeof w.kills === "number")).toBe(true)

      const metadata = await conn.unsafe(q.GET_INSTANCE_METADATA, [String(row.hash)])
      expect(metadata[0] as unknown).toEqual({ activityName: "Deep Stone Crypt", versionName: expect.any(String), isRaid: true })

      const rank = await conn.unsafe(q.GET_INSTANCE_TEAM_RANK, [DSC_LAUNCH_RUN])
      expect(kindsOf(rank)).toEqual({ rank: "number" })
      expect(rank[0]!.rank).toBeGreaterThanOrEqual(1)

      const basic = await conn.unsafe(q.GET_INSTANCE_BASIC, [DSC_LAUNCH_RUN])
      expect(kindsOf(basic)).toMatchObject({ instanceId: "bigint", hash: "bigint", dateResolved: "Date", dateStarted: "local Date" })
    })
  })

  test("the Pantheon race placement of an instance, and of an unknown one (no error: the API once crashed on it)", async () => {
    await asApi("readonly", async (conn) => {
      const race = await withPantheonRaceSource((source) => conn.unsafe(q.getInstancePantheonRaceRank(source), [RACE_INSTANCE]))
      expect(plain(race)).toEqual([{ rank: 1 }])
      const unknown = await withPantheonRaceSource((source) => conn.unsafe(q.getInstancePantheonRaceRank(source), ["1"]))
      expect(plain(unknown)).toEqual([])
      expect(plain(await conn.unsafe(q.GET_INSTANCE, ["1"]))).toEqual([])
    })
  })

  test("its raw PGCR, decoded as /pgcr/:id does, is the Response body", async () => {
    await asApi("readonly", async (conn) => {
      for (const id of [DSC_LAUNCH_RUN, "17091392013", "14287236297"]) {
        const rows = await conn.unsafe(q.GET_RAW_PGCR, [id])
        expect(kindsOf(rows)).toEqual({ data: "Buffer" })
        const data = rows[0]!.data as Uint8Array
        // The API's decoding: gunzip when the bytes start 1F 8B, else UTF-8; then JSON.parse.
        const text = new TextDecoder().decode(data[0] === 0x1f && data[1] === 0x8b ? Bun.gunzipSync(data as Uint8Array<ArrayBuffer>) : data)
        const body = JSON.parse(text)
        expect(Object.keys(body)).toEqual(expect.arrayContaining(["period", "activityDetails", "entries"]))
        expect(BigInt(body.activityDetails.instanceId)).toBe(BigInt(id))
        for (const entry of body.entries) {
          expect(typeof entry.characterId).toBe("string")
          expect(typeof entry.player.destinyUserInfo.membershipId).toBe("string")
        }
        const fixture = readPgcrFixtureJson(`${id}.json`) as { Response?: unknown }
        expect(body).toEqual(fixture.Response ?? fixture)
      }
    })
  })

  test("first-team leaderboards with a player search", async () => {
    await asApi("readonly", async (conn) => {
      const [entry] = await conn.unsafe(
        "SELECT activity_id, version_id FROM team_activity_version_leaderboard WHERE instance_id = $1::bigint",
        [DSC_LAUNCH_RUN],
      )
      const take = 10
      const found = await conn.unsafe(q.SEARCH_FIRST_TEAM, [`${[dscFinisher]}`, entry!.activity_id, entry!.version_id])
      expect(found).toHaveLength(1)
      const page = Math.ceil(found[0]!.position / take)
      const rows = await conn.unsafe(q.GET_FIRST_TEAM_PAGE, [(page - 1) * take, take, entry!.activity_id, entry!.version_id])
      expect(kindsOf(rows)).toEqual({ position: "number", rank: "number", value: "number", instanceId: "bigint", players: "json" })
      const mine = rows.find((r) => r.instanceId === BigInt(DSC_LAUNCH_RUN))!
      expect(typeof mine.value).toBe("number")
      expect(mine.players.map((p: { membershipId: string }) => p.membershipId)).toContain(dscFinisher)
    })
  })

  test("the contest leaderboard with a player search", async () => {
    await asApi("readonly", async (conn) => {
      const found = await conn.unsafe(q.SEARCH_CONTEST, [`${[dscFinisher]}`, 8])
      expect(found).toHaveLength(1)
      const rows = await conn.unsafe(q.GET_CONTEST_PAGE, [0, 10, 8])
      expect(kindsOf(rows)).toEqual({ position: "number", rank: "number", value: "number", instanceId: "bigint", players: "json" })
      expect(rows.map((r) => r.instanceId)).toContain(BigInt(DSC_LAUNCH_RUN))
    })
  })

  test("the Pantheon race leaderboard, paged and searched through the API's fallback", async () => {
    await asApi("readonly", async (conn) => {
      const rows = await withPantheonRaceSource((source) => conn.unsafe(q.getPantheonRacePage(source), [0, 10]))
      expect(kindsOf(rows)).toEqual({ position: "number", rank: "number", value: "number", instanceId: "bigint", players: "json" })
      // Completed 75 minutes after the race opened (2026-06-13 17:00 UTC).
      expect(rows.map((r) => [r.position, r.rank, r.value, r.instanceId])).toEqual([[1, 1, 4500, BigInt(RACE_INSTANCE)]])
      expect(rows[0]!.players.length).toBeGreaterThan(0)
      const found = await withPantheonRaceSource((source) =>
        source === "pantheon_custom_race_snapshot"
          ? conn.unsafe(q.SEARCH_PANTHEON_RACE_SNAPSHOT, [dscFinisher])
          : conn.unsafe(q.SEARCH_PANTHEON_RACE_VIEW, [`${[dscFinisher]}`]),
      )
      expect(plain(found)).toEqual([{ position: 1 }])
    })
  })

  test("a player's profile with world-first entries", async () => {
    await asApi("readonly", async (conn) => {
      const player = await conn.unsafe(q.GET_PLAYER, [dscFinisher])
      expect(kindsOf(player)).toMatchObject({ membershipId: "bigint", lastSeen: "Date", isPrivate: "boolean", cheatLevel: "number" })
      expect(player[0]!.membershipId).toBe(BigInt(dscFinisher))

      const stats = await conn.unsafe(q.GET_PLAYER_ACTIVITY_STATS, [dscFinisher])
      expect(kindsOf(stats)).toMatchObject({
        activityId: "number",
        freshClears: "number",
        clears: "number",
        sherpas: "number",
        fastestInstance: "json",
      })
      // Beyond Light era: freshness unknown, so no fastest (fresh) clear.
      expect(stats.find((s) => s.activityId === 8)).toMatchObject({ clears: 1, fastestInstance: null })
      const solo = await conn.unsafe(q.GET_PLAYER_ACTIVITY_STATS, [soloPlayer])
      const fastest = solo.find((s) => s.activityId === 12)!.fastestInstance
      expect(fastest).toMatchObject({ instanceId: SOLO_FLAWLESS, fresh: true, flawless: true, playerCount: 1, isBlacklisted: false })
      expect(typeof fastest.hash).toBe("number")

      const global = await conn.unsafe(q.GET_PLAYER_GLOBAL_STATS, [dscFinisher])
      expect(global[0]!.clears).toMatchObject({ value: expect.any(Number), rank: expect.any(Number) })

      const entries = await conn.unsafe(q.GET_WORLD_FIRST_ENTRIES, [`${[dscFinisher]}`])
      expect(kindsOf(entries)).toMatchObject({ activityId: "number", rank: "number", instanceId: "bigint", timeAfterLaunch: "number" })
      expect(plain(entries)).toEqual([expect.objectContaining({ activityId: 8, instanceId: BigInt(DSC_LAUNCH_RUN), isDayOne: true })])
    })
  })
})

describe("the writable role", () => {
  test("registers, updates and deactivates a Discord subscription with the API's statements", async () => {
    await asApi("raidhub_api_writer", async (conn) => {
      const w = q.SUBSCRIPTION_WRITES
      const [destination] = await conn.unsafe(w.insertDestination, ["discord_webhook"])
      await conn.unsafe(w.upsertDiscordConfig, [destination!.id, "guild-1", "channel-1", "webhook-1", "token-1"])
      await conn.unsafe(w.upsertDiscordConfig, [destination!.id, "guild-1", "channel-1", "webhook-2", "token-2"])
      expect(await conn.unsafe(w.insertPlayerRule, [destination!.id, dscFinisher, true, false])).toHaveLength(1)
      expect(await conn.unsafe(w.insertPlayerRule, [destination!.id, dscFinisher, true, false])).toHaveLength(0)
      await conn.unsafe(w.deactivateOtherPlayerRules, [destination!.id, [dscFinisher]])
      await conn.unsafe(w.updateGuild, [destination!.id, "guild-2"])
      expect(plain(await conn.unsafe(w.findByChannel, ["channel-1"]))).toEqual([
        { destinationId: destination!.id, webhookId: "webhook-2", isActive: true },
      ])
      await conn.unsafe(w.deactivate, [destination!.id])
    })
    const [config] =
      await db.sql`SELECT guild_id, updated_at > created_at - interval '1 second' AS stamped FROM subscriptions.discord_destination_config`
    expect(config).toEqual({ guild_id: "guild-2", stamped: true })
  })

  test("blacklists and whitelists an instance and sets a cheat level; readonly may not", async () => {
    await asApi("raidhub_api_writer", async (conn) => {
      const a = q.ADMIN_WRITES
      await conn.unsafe(a.blacklist, [DSC_LAUNCH_RUN, "Manual", null, "test"])
      await conn.unsafe(a.blacklistPlayer, [DSC_LAUNCH_RUN, dscFinisher, "test"])
      await conn.unsafe(a.removeBlacklist, [DSC_LAUNCH_RUN])
      await conn.unsafe(a.whitelist, [DSC_LAUNCH_RUN])
      await conn.unsafe(a.cheatLevel, [dscFinisher, 1])
    })
    const [state] = await db.sql`
      SELECT (SELECT count(*)::int FROM flagging.blacklist_instance_player) AS blacklisted_players,
             (SELECT is_whitelisted FROM core.instance WHERE instance_id = ${DSC_LAUNCH_RUN}) AS whitelisted,
             (SELECT cheat_level FROM core.player WHERE membership_id = ${dscFinisher}) AS cheat_level`
    expect(state).toEqual({ blacklisted_players: 0, whitelisted: true, cheat_level: 1 })
    await db.sql`UPDATE core.player SET cheat_level = 0 WHERE membership_id = ${dscFinisher}`
    await expect(asApi("readonly", (conn) => conn.unsafe(q.ADMIN_WRITES.whitelist, [DSC_LAUNCH_RUN]))).rejects.toMatchObject({
      code: "42501",
    })
  })
})

describe("ClickHouse", () => {
  test("the rolling-week weapon meta joins weapon_definition and groups by slot", async () => {
    const rs = await ch.client.query({
      query: q.CLICKHOUSE_ROLLING_WEAPON_META,
      query_params: { sortColumn: "totalKills", count: 5 },
      format: "JSON",
    })
    const { data } = await rs.json<{ slot: string; hash: number; totalUsage: number; totalKills: number; totalPrecisionKills: number }>()
    expect(new Set(data.map((r) => r.slot))).toEqual(new Set(["Kinetic", "Energy", "Power"]))
    expect(data.length).toBeLessThanOrEqual(15)
    expect(data.every((r) => typeof r.hash === "number" && typeof r.totalKills === "number" && r.totalUsage > 0)).toBe(true)
  })

  test("the rolling-day population returns hours with per-activity counts", async () => {
    const rs = await ch.client.query({ query: q.CLICKHOUSE_ROLLING_POPULATION, format: "JSON" })
    const { data } = await rs.json<{ hour: string; population: Record<string, number> }>()
    expect(data.length).toBeGreaterThan(0)
    expect(Object.values(data[0]!.population).every((n) => typeof n === "number" && n > 0)).toBe(true)
  })
})

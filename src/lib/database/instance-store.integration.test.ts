import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { generateSyntheticInstances, type SyntheticInstance } from "../pgcr/synthetic.ts"
import type { ProcessedInstance, ProcessedPlayer } from "../pgcr/types.ts"
import { STORE_STEPS, storeInstances } from "./instance-store.ts"
import { recomputePlayerAggregates } from "./player-aggregates.ts"
import { decodeRawPgcr } from "./raw-pgcr-codec.ts"
import { replaceInstance } from "./replace-instance.ts"
import type { AnySql } from "./sql-types.ts"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})
afterAll(async () => {
  await db?.drop()
})
beforeEach(async () => {
  await db.sql.unsafe("truncate core.instance, core.player, raw.pgcr, crawl.outbox cascade")
})

/** Every aggregate-bearing table, ids as text, in a stable order. */
async function dumpAggregates(sql: AnySql): Promise<unknown> {
  const q = (text: string) => sql.unsafe(text).then((rows) => rows.map((r) => JSON.stringify(r)))
  return {
    player: await q(`select membership_id::text, membership_type, icon_path, display_name, bungie_global_display_name,
      bungie_global_display_name_code, first_seen, last_seen, clears, fresh_clears, sherpas,
      total_time_played_seconds::text, sum_of_best from core.player order by membership_id`),
    stats: await q(`select membership_id::text, activity_id, clears, fresh_clears, sherpas, fastest_instance_id::text,
      total_time_played_seconds::text from core.player_stats order by membership_id, activity_id`),
    participants: await q(`select instance_id::text, membership_id::text, completed, time_played_seconds, sherpas, is_first_clear
      from core.instance_player order by instance_id, membership_id`),
    instances: await q(
      "select instance_id::text, hash::text, completed, fresh, flawless, duration from core.instance order by instance_id",
    ),
    characters: await q("select count(*)::int as n, sum(kills)::int as kills from extended.instance_character"),
    weapons: await q("select count(*)::int as n, sum(kills)::int as kills from extended.instance_character_weapon"),
    raw: await q("select count(*)::int as n from raw.pgcr"),
  }
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

async function storeInBatches(items: readonly SyntheticInstance[], size: number): Promise<void> {
  for (let i = 0; i < items.length; i += size) await storeInstances(db.sql, items.slice(i, i + size))
}

function player(
  id: string,
  finished: boolean,
  overrides: Partial<ProcessedPlayer["player"]> = {},
  classHash: number | null = 671679327,
): ProcessedPlayer {
  return {
    finished,
    timePlayedSeconds: 1000,
    isFirstClear: false,
    sherpas: 0,
    player: {
      membershipId: id,
      membershipType: 3,
      firstSeen: "2025-03-01T10:00:00.000Z",
      lastSeen: "2025-03-01T10:16:40.000Z",
      iconPath: "/icon.jpg",
      displayName: `name-${id.slice(-2)}`,
      bungieGlobalDisplayName: `bg-${id.slice(-2)}`,
      bungieGlobalDisplayNameCode: "0042",
      ...overrides,
    },
    characters: [
      {
        characterId: (BigInt(id) + 1n).toString(),
        classHash,
        emblemHash: 12345,
        completed: finished,
        score: 0,
        kills: 10,
        deaths: 0,
        assists: 1,
        precisionKills: 5,
        superKills: 1,
        grenadeKills: 2,
        meleeKills: 3,
        startSeconds: 0,
        timePlayedSeconds: 1000,
        weapons: [{ weaponHash: 1363886209, kills: 7, precisionKills: 4 }],
      },
    ],
  }
}

function handInstance(id: string, completedAt: string, players: ProcessedPlayer[]): ProcessedInstance {
  return {
    instanceId: id,
    hash: 2122313384,
    completed: players.some((p) => p.finished),
    flawless: true,
    fresh: true,
    playerCount: players.length,
    dateStarted: new Date(Date.parse(completedAt) - 1000_000).toISOString(),
    dateCompleted: completedAt,
    durationSeconds: 1000,
    membershipType: 3,
    score: 0,
    skullHashes: [],
    players,
  }
}

const A = "4611686018500000001"
const B = "4611686018500000002"
const C = "4611686018500000003"
const item = (instance: ProcessedInstance) => ({
  instance,
  activityId: 4,
  versionId: 1,
  raw: new TextEncoder().encode(JSON.stringify({ id: instance.instanceId })),
})

describe("storeInstances", () => {
  test("writes every table for a hand-made instance", async () => {
    // A already cleared Last Wish; B clears it for the first time with A; C does not finish.
    const earlier = handInstance("17000000001", "2025-03-01T09:00:00.000Z", [player(A, true)])
    const run = handInstance("17000000002", "2025-03-01T10:16:40.000Z", [
      player(A, true),
      player(B, true, { membershipType: null }),
      player(C, false, {}, null),
    ])
    await storeInstances(db.sql, [item(earlier)])
    const report = await storeInstances(db.sql, [item(run)])
    expect(report.storedIds).toEqual(["17000000002"])
    expect(report.outbox).toEqual({ clickhouse: 1, playerCrawl: 2, characterFill: 1, cheatCheck: 1 })
    // Every step is timed, each within the call's own duration.
    const steps = Object.entries(report.stepsMs)
    expect(steps.map(([step]) => step)).toEqual([...STORE_STEPS])
    for (const [, ms] of steps) expect(ms).toBeGreaterThan(0)
    expect(steps.reduce((sum, [, ms]) => sum + ms, 0)).toBeLessThanOrEqual(report.durationMs)

    const [raw] = await db.sql`select data from raw.pgcr where instance_id = 17000000002`
    expect(new TextDecoder().decode(decodeRawPgcr(raw!.data))).toBe(JSON.stringify({ id: "17000000002" }))
    const ip = await db.sql.unsafe(`select membership_id::text as id, completed, sherpas, is_first_clear, time_played_seconds
      from core.instance_player where instance_id = 17000000002 order by membership_id`)
    expect(ip.map((r) => [r.id, r.completed, r.sherpas, r.is_first_clear, r.time_played_seconds])).toEqual([
      [A, true, 1, false, 1000],
      [B, true, 0, true, 1000],
      [C, false, 0, false, 1000],
    ])
    const stats = await db.sql.unsafe(`select membership_id::text as id, activity_id, clears, fresh_clears, sherpas,
      fastest_instance_id::text as fastest, total_time_played_seconds::int as t from core.player_stats order by membership_id`)
    expect(stats.map((r) => [r.id, r.activity_id, r.clears, r.fresh_clears, r.sherpas, r.fastest, r.t])).toEqual([
      [A, 4, 2, 2, 1, "17000000001", 2000],
      [B, 4, 1, 1, 0, "17000000002", 1000],
      [C, 4, 0, 0, 0, null, 1000],
    ])
    const players = await db.sql.unsafe(`select membership_id::text as id, membership_type, bungie_name, clears, sherpas,
      total_time_played_seconds::int as t, sum_of_best from core.player order by membership_id`)
    expect(players.map((r) => [r.id, r.membership_type, r.bungie_name, r.clears, r.sherpas, r.t, r.sum_of_best])).toEqual([
      [A, 3, "bg-01#0042", 2, 1, 2000, null],
      [B, null, "bg-02#0042", 1, 0, 1000, null],
      [C, 3, "bg-03#0042", 0, 0, 1000, null],
    ])
    const [character] = await db.sql.unsafe(`select character_id::text as id, class_hash, kills, precision_kills
      from extended.instance_character where instance_id = 17000000002 and membership_id = ${A}`)
    expect(character as unknown).toEqual({ id: (BigInt(A) + 1n).toString(), class_hash: 671679327n, kills: 10, precision_kills: 5 })
    const [weapon] = await db.sql.unsafe(`select weapon_hash::text as h, kills from extended.instance_character_weapon
      where instance_id = 17000000002 and membership_id = ${A}`)
    expect(weapon as unknown).toEqual({ h: "1363886209", kills: 7 })
    const outbox = await db.sql.unsafe(`select topic, convert_from(payload, 'UTF8') as body from crawl.outbox order by id`)
    expect(outbox.map((r) => [r.topic, JSON.parse(r.body)])).toContainEqual([
      "queue.character_fill",
      { membershipId: C, characterId: (BigInt(C) + 1n).toString(), instanceId: "17000000002" },
    ])
    expect(outbox.map((r) => [r.topic, JSON.parse(r.body)])).toContainEqual(["queue.player_crawl", { membershipId: B }])
    expect(outbox.map((r) => [r.topic, JSON.parse(r.body)])).toContainEqual(["queue.pgcr_cheat_check", { instanceId: "17000000002" }])
    // The subscription event carries the real first-clear and sherpa values of the store.
    const events = outbox.filter((r) => r.topic === "queue.instance_participant_refresh").map((r) => JSON.parse(r.body))
    expect(events.map((e) => e.instanceId)).toEqual(["17000000001", "17000000002"])
    expect(events[1]).toMatchObject({ instanceId: "17000000002", activityId: 4, completed: true, playerCount: 3 })
    expect(events[1].players).toEqual([
      { membershipId: A, membershipType: 3, completed: true, isFirstClear: false, sherpas: 1 },
      { membershipId: B, membershipType: null, completed: true, isFirstClear: true, sherpas: 0 },
      { membershipId: C, membershipType: 3, completed: false, isFirstClear: false, sherpas: 0 },
    ])
  })

  test("a clear that completed earlier takes over the first clear and the sherpas", async () => {
    // Stored first: a run where B is noob and A pro. Then an even earlier run arrives in which B
    // finished alone: B's first clear moves there, so A loses the sherpa in the later run.
    const later = handInstance("17000000010", "2025-03-02T10:00:00.000Z", [player(A, true), player(B, true)])
    const priorA = handInstance("17000000009", "2025-03-01T10:00:00.000Z", [player(A, true)])
    await storeInstances(db.sql, [item(priorA), item(later)])
    expect((await db.sql`select sherpas from core.player where membership_id = ${A}`)[0]!.sherpas).toBe(1)
    const earlierB = handInstance("17000000011", "2025-03-01T12:00:00.000Z", [player(B, true)])
    const report = await storeInstances(db.sql, [item(earlierB)])
    expect(report.changedInstanceIds).toEqual(["17000000010"])
    expect((await db.sql`select sherpas from core.player where membership_id = ${A}`)[0]!.sherpas).toBe(0)
    const fc = await db.sql.unsafe(`select instance_id::text as id from core.instance_player where membership_id = ${B} and is_first_clear`)
    expect(fc.map((r) => r.id)).toEqual(["17000000011"])
  })

  test("duplicates within and across batches never double count", async () => {
    const items = generateSyntheticInstances({ count: 40, playerPool: 15, seed: 7 })
    await storeInstances(db.sql, items)
    const once = await dumpAggregates(db.sql)
    const outboxOnce = await db.sql`select count(*)::int as n from crawl.outbox`
    const report = await storeInstances(db.sql, [...items.slice(0, 10), ...items.slice(0, 5)])
    expect(report.storedIds).toEqual([])
    expect(report.duplicateIds.length).toBe(10)
    expect(await dumpAggregates(db.sql)).toEqual(once)
    expect(await db.sql`select count(*)::int as n from crawl.outbox`).toEqual(outboxOnce)

    await db.sql.unsafe("truncate core.instance, core.player, raw.pgcr, crawl.outbox cascade")
    await storeInstances(db.sql, [...items, ...items.slice(3, 9)])
    expect(await dumpAggregates(db.sql)).toEqual(once)
  })

  test("aggregates are identical in order, reversed and shuffled in different batch splits", async () => {
    const items = generateSyntheticInstances({ count: 260, playerPool: 12, seed: 3 })
    await storeInBatches(items, 50)
    const inOrder = await dumpAggregates(db.sql)
    const dump = inOrder as { player: string[]; participants: string[] }
    // The data really exercises the ordering-dependent aggregates.
    expect(dump.participants.some((r) => r.includes('"is_first_clear":true'))).toBe(true)
    expect(dump.participants.some((r) => /"sherpas":[1-9]/.test(r))).toBe(true)
    expect(dump.player.some((r) => /"sum_of_best":\d/.test(r))).toBe(true)

    for (const [order, size] of [
      [[...items].reverse(), 9],
      [shuffle(items, 11), 3],
      [shuffle(items, 5), 40],
      [shuffle(items, 9), 260],
    ] as const) {
      await db.sql.unsafe("truncate core.instance, core.player, raw.pgcr, crawl.outbox cascade")
      await storeInBatches(order, size)
      expect(await dumpAggregates(db.sql)).toEqual(inOrder)
    }
  })

  test("a failing batch leaves no rows and no outbox rows", async () => {
    const [good] = generateSyntheticInstances({ count: 1, seed: 2 })
    const bad = structuredClone(good!)
    bad.instance.instanceId = "17100000000"
    bad.instance.dateCompleted = "not a date"
    await expect(storeInstances(db.sql, [good!, bad])).rejects.toThrow()
    expect([
      ...(await db.sql`select (select count(*)::int from crawl.outbox) as o, (select count(*)::int from core.instance) as i`),
    ] as unknown).toEqual([{ o: 0, i: 0 }])
  })

  test("unknown hashes are reported, not stored", async () => {
    const [one] = generateSyntheticInstances({ count: 1, seed: 4 })
    one!.instance.hash = 1
    const report = await storeInstances(db.sql, [one!])
    expect(report.unknownHashIds).toEqual([one!.instance.instanceId])
    expect(report.storedIds).toEqual([])
  })
})

describe("replaceInstance and recomputePlayerAggregates", () => {
  test("replacing an instance leaves aggregates equal to a fresh store", async () => {
    const items = generateSyntheticInstances({ count: 80, playerPool: 14, seed: 21 })
    const target = items.find((i) => i.instance.players.filter((p) => p.finished).length >= 2)!
    const fixed = structuredClone(target)
    fixed.instance.durationSeconds += 17
    fixed.instance.players[0]!.finished = !fixed.instance.players[0]!.finished
    fixed.instance.players[0]!.timePlayedSeconds += 5
    fixed.instance.fresh = !fixed.instance.fresh

    const others = items.filter((i) => i !== target)
    await storeInstances(db.sql, [...others, fixed])
    const fresh = await dumpAggregates(db.sql)

    await db.sql.unsafe("truncate core.instance, core.player, raw.pgcr, crawl.outbox cascade")
    await storeInstances(db.sql, items)
    const report = await replaceInstance(db.sql, fixed)
    expect(report.replaced).toBe(true)
    expect(report.storedIds).toEqual([target.instance.instanceId])
    expect(await dumpAggregates(db.sql)).toEqual(fresh)
  })

  test("recomputing every player changes nothing that the store maintained", async () => {
    const items = generateSyntheticInstances({ count: 90, playerPool: 18, seed: 5 })
    await storeInBatches(shuffle(items, 3), 20)
    const before = await dumpAggregates(db.sql)
    const ids = (await db.sql.unsafe("select membership_id::text as id from core.player")).map((r) => r.id as string)
    const report = await recomputePlayerAggregates(db.sql, ids)
    expect(report.changedInstanceIds).toEqual([])
    expect(await dumpAggregates(db.sql)).toEqual(before)
  })
})

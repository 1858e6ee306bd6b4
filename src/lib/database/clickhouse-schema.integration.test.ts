/**
 * ClickHouse schema on the embedded engine: migrations and views apply, a nested instance row
 * built by toClickhouseInstanceRow round-trips (64-bit ids intact), and one insert feeds all
 * three rollups with the numbers the row implies.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { ProcessedCharacter, ProcessedInstance, ProcessedPlayer } from "../pgcr/types.ts"
import { toClickhouseInstanceRow } from "./clickhouse-instance-row.ts"
import { createTestClickhouse, type TestClickhouse } from "./testing.ts"

let ch: TestClickhouse

beforeAll(async () => {
  ch = await createTestClickhouse({ migrate: true })
})

afterAll(async () => {
  await ch?.drop()
})

async function queryRows<T>(query: string): Promise<T[]> {
  const result = await ch.client.query({ query, format: "JSONEachRow" })
  return (await result.json()) as T[]
}

function makeCharacter(characterId: string, weapons: [number, number, number][]): ProcessedCharacter {
  return {
    characterId,
    classHash: null,
    emblemHash: 4182480236,
    completed: true,
    score: 0,
    kills: 150,
    deaths: 0,
    assists: 20,
    precisionKills: 60,
    superKills: 5,
    grenadeKills: 10,
    meleeKills: 3,
    startSeconds: 0,
    timePlayedSeconds: 5400,
    weapons: weapons.map(([weaponHash, kills, precisionKills]) => ({ weaponHash, kills, precisionKills })),
  }
}

function makePlayer(membershipId: string, characters: ProcessedCharacter[], iso: string): ProcessedPlayer {
  return {
    finished: true,
    timePlayedSeconds: 5400,
    isFirstClear: false,
    sherpas: 0,
    player: {
      membershipId,
      membershipType: 3,
      firstSeen: iso,
      lastSeen: iso,
      iconPath: null,
      displayName: "Guardian",
      bungieGlobalDisplayName: "Guardian",
      bungieGlobalDisplayNameCode: "0001",
    },
    characters,
  }
}

/** A fresh 1 h 30 min clear by 3 players that started at 16:40 and ended at 18:10 yesterday (UTC). */
function makeInstance(instanceId: string, fresh: boolean | null): ProcessedInstance {
  const day = new Date(Date.now() - 86_400_000)
  const start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 16, 40, 0))
  const end = new Date(start.getTime() + 5_400_000)
  return {
    instanceId,
    hash: 1541433876,
    completed: true,
    flawless: fresh,
    fresh,
    playerCount: 3,
    dateStarted: start.toISOString(),
    dateCompleted: end.toISOString(),
    durationSeconds: 5400,
    membershipType: 3,
    score: 0,
    skullHashes: [],
    players: [
      makePlayer(
        "4611686018467284386",
        [
          makeCharacter("2305843009301046987", [
            [3886416794, 40, 20],
            [1094005544, 10, 0],
          ]),
        ],
        start.toISOString(),
      ),
      makePlayer("4611686018467284387", [makeCharacter("2305843009301046988", [[3886416794, 30, 15]])], start.toISOString()),
      // A player who swapped characters mid-run: two characters, both used the same weapon.
      makePlayer(
        "4611686018467284388",
        [makeCharacter("2305843009301046989", [[3886416794, 5, 1]]), makeCharacter("2305843009301046990", [[3886416794, 7, 2]])],
        start.toISOString(),
      ),
    ],
  }
}

describe("clickhouse schema", () => {
  test("migrations create the instance table, rollups and views", async () => {
    const tables = await queryRows<{ name: string; engine: string }>(
      "SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY name",
    )
    expect(Object.fromEntries(tables.map((t) => [t.name, t.engine]))).toMatchObject({
      instance: "ReplacingMergeTree",
      player_population_by_hour: "SummingMergeTree",
      clear_time_by_day: "AggregatingMergeTree",
      weapon_meta_by_hour: "SummingMergeTree",
      player_population_by_hour_mv: "MaterializedView",
      clear_time_by_day_mv: "MaterializedView",
      weapon_meta_by_hour_mv: "MaterializedView",
      weapon_definition: "EmbeddedRocksDB",
    })
  })

  test("a nested instance row feeds all three rollups", async () => {
    const fresh = makeInstance("17100000000123456", true)
    const unknown = makeInstance("17100000000123457", null)
    await ch.client.insert({
      table: "instance",
      values: [toClickhouseInstanceRow(fresh, 14, 1), toClickhouseInstanceRow(unknown, 14, 1)],
      format: "JSONEachRow",
    })

    const stored = await queryRows<{ instance_id: string; fresh: number; ids: string[]; weapons: number }>(
      `SELECT instance_id, fresh, arrayMap(p -> toString(p.membership_id), players) AS ids,
              toUInt32(length(arrayFlatten(arrayMap(p -> arrayMap(c -> c.weapons, p.characters), players)))) AS weapons
       FROM instance FINAL ORDER BY instance_id`,
    )
    expect(stored.map((r) => [r.instance_id, r.fresh, r.weapons])).toEqual([
      ["17100000000123456", 1, 5],
      ["17100000000123457", 2, 5],
    ])
    expect(stored[0]!.ids).toEqual(["4611686018467284386", "4611686018467284387", "4611686018467284388"])

    // 16:40 -> 18:10 spans the 16:00, 17:00 and 18:00 hours; both instances add 3 players to each.
    const start = new Date(fresh.dateStarted)
    const hour = (h: number) =>
      new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), h)).toISOString().slice(0, 19).replace("T", " ")
    const population = await queryRows<{ hour: string; activity_id: number; player_count: string }>(
      "SELECT hour, activity_id, sum(player_count) AS player_count FROM player_population_by_hour GROUP BY hour, activity_id ORDER BY hour",
    )
    expect(population).toEqual([
      { hour: hour(16), activity_id: 14, player_count: "6" },
      { hour: hour(17), activity_id: 14, player_count: "6" },
      { hour: hour(18), activity_id: 14, player_count: "6" },
    ])

    // Only the fresh clear counts; it completed at 18:10 UTC, i.e. on the same Bungie day (reset 17:00).
    const clearTimes = await queryRows<{ bungie_day: string; version_id: number; clears: string; q: number[] }>(
      `SELECT bungie_day, version_id, sum(clears) AS clears, quantilesMerge(0.05, 0.1, 0.5, 0.9)(duration_quantiles) AS q
       FROM clear_time_by_day GROUP BY bungie_day, activity_id, version_id`,
    )
    expect(clearTimes).toEqual([{ bungie_day: fresh.dateStarted.slice(0, 10), version_id: 1, clears: "1", q: [5400, 5400, 5400, 5400] }])

    // Weapon 3886416794: 4 character loadouts per instance, kills 40+30+5+7 = 82, precision 38; doubled.
    const weapons = await queryRows<{
      hour: string
      weapon_hash: number
      usage_count: string
      kill_count: string
      precision_kill_count: string
    }>(
      `SELECT hour, weapon_hash, sum(usage_count) AS usage_count, sum(kill_count) AS kill_count, sum(precision_kill_count) AS precision_kill_count
       FROM weapon_meta_by_hour GROUP BY hour, weapon_hash ORDER BY weapon_hash`,
    )
    expect(weapons).toEqual([
      { hour: hour(18), weapon_hash: 1094005544, usage_count: "2", kill_count: "20", precision_kill_count: "0" },
      { hour: hour(18), weapon_hash: 3886416794, usage_count: "8", kill_count: "164", precision_kill_count: "76" },
    ])
  })

  test("a relayed duplicate collapses to one instance row", async () => {
    const again = toClickhouseInstanceRow(makeInstance("17100000000123456", true), 14, 1)
    await ch.client.insert({ table: "instance", values: [again], format: "JSONEachRow" })
    const [row] = await queryRows<{ n: string }>("SELECT count() AS n FROM instance FINAL WHERE instance_id = 17100000000123456")
    expect(row!.n).toBe("1")
  })
})

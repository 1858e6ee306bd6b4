/**
 * The cheat-input loader against the real Postgres: real fixtures stored through the instance
 * store load back as the same input the check would get from the processed PGCR, and broken rows
 * (zero duration, no characters, no weapons, undefined weapons, the 32,767 s cap) load without error.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { checkInstance } from "../cheat/check-instance.ts"
import { buildCheatInstance, type WeaponInfo } from "../cheat/from-processed.ts"
import { DEFAULT_HEURISTICS } from "../cheat/heuristics-table.ts"
import type { CheatInstance } from "../cheat/types.ts"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureJson, readPgcrFixtureText } from "../fixtures.ts"
import { unwrapPgcrEnvelope } from "../pgcr/envelope.ts"
import { processPgcr } from "../pgcr/process.ts"
import { loadCheatInstance, loadCheatInstances } from "./cheat-input-loader.ts"
import { type StoreItem, storeInstances } from "./instance-store.ts"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

const defs = loadDefinitions()
let db: TestDatabase
const stored: StoreItem[] = []

// Weapon definitions for the Salvation's Edge fixture's first weapons; the rest stay undefined.
const WEAPONS = new Map<number, WeaponInfo>()

const seasons = (
  JSON.parse(readFileSync(resolve(import.meta.dir, "../../../sql/seeds/definitions.json"), "utf8")) as {
    steps: { tables: Record<string, { id: number; start_date: string }[]> }[]
  }
).steps
  .flatMap((s) => s.tables.season ?? [])
  .map((s) => ({ id: s.id, start: new Date(s.start_date).getTime() }))

function seasonOf(date: Date): number {
  return seasons.filter((s) => s.start < date.getTime()).sort((a, b) => b.start - a.start)[0]!.id
}

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  for (const name of listPgcrFixtureNames()) {
    const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
    if (unwrapped.kind !== "ok") continue
    const result = processPgcr(unwrapped.body, defs)
    if (result.kind !== "raid") continue
    stored.push({
      instance: result.instance,
      activityId: result.activityId,
      versionId: result.versionId,
      raw: new TextEncoder().encode(readPgcrFixtureText(name)),
    })
  }
  await storeInstances(db.sql, stored)
  const se = stored.find((s) => s.instance.instanceId === "17091392013")!
  for (const player of se.instance.players) {
    const [first, second] = player.characters[0]!.weapons
    if (first) WEAPONS.set(first.weaponHash, { slot: "Power", ammoType: "Heavy", element: "Void" })
    if (second) WEAPONS.set(second.weaponHash, { slot: "Kinetic", ammoType: "Primary", element: "Kinetic" })
  }
  for (const [hash, info] of WEAPONS) {
    await db.sql.unsafe(
      `insert into definitions.weapon_definition (hash, name, icon_path, weapon_type, element, slot, ammo_type, rarity)
       values ($1, 'w', '', 'Auto Rifle', $2, $3, $4, 'Legendary') on conflict do nothing`,
      [hash, info.element, info.slot, info.ammoType],
    )
  }
})

afterAll(async () => {
  await db?.drop()
})

/** Players by membership id, characters by id, weapons by hash: the loader's order. */
function normalise(instance: CheatInstance): CheatInstance {
  return {
    ...instance,
    players: [...instance.players]
      .sort((a, b) => (a.membershipId < b.membershipId ? -1 : 1))
      .map((p) => ({
        ...p,
        characters: [...p.characters]
          .sort((a, b) => (a.characterId < b.characterId ? -1 : 1))
          .map((c) => ({ ...c, weapons: [...c.weapons].sort((a, b) => a.weaponHash - b.weaponHash) })),
      })),
  }
}

describe("loadCheatInstance on stored fixtures", () => {
  test("every stored raid fixture loads as the input built from its processed PGCR", async () => {
    expect(stored.length).toBeGreaterThan(10)
    for (const item of stored) {
      const id = BigInt(item.instance.instanceId)
      const loaded = await loadCheatInstance(db.sql, id)
      expect(loaded).not.toBeNull()
      const firstClears = new Map(
        (
          await db.sql.unsafe("select membership_id::text as m, is_first_clear from core.instance_player where instance_id = $1::bigint", [
            id.toString(),
          ])
        ).map((r) => [BigInt(r.m), r.is_first_clear as boolean]),
      )
      const built = buildCheatInstance(item.instance, {
        activityId: item.activityId,
        versionId: item.versionId,
        activityReleaseDate: defs.activity(item.activityId)!.releaseDate,
        seasonId: seasonOf(new Date(item.instance.dateStarted)),
        lookupWeapon: (hash) => WEAPONS.get(hash),
      })
      for (const p of built.players) p.isFirstClear = firstClears.get(p.membershipId)!
      const expected = normalise(built)
      expect(loaded!.daysSinceRelease).toBeCloseTo(expected.daysSinceRelease, 6)
      expect({ ...loaded!, daysSinceRelease: 0 }).toEqual({ ...expected, daysSinceRelease: 0 })
      // The same input gives the same verdict.
      const fromDb = checkInstance(loaded!, DEFAULT_HEURISTICS, "t")
      const fromPgcr = checkInstance(expected, DEFAULT_HEURISTICS, "t")
      expect(fromDb.instanceBits).toBe(fromPgcr.instanceBits)
      expect(fromDb.instanceProbability).toBeCloseTo(fromPgcr.instanceProbability, 9)
    }
  })

  test("weapon definitions arrive with the weapons; undefined weapons have nulls", async () => {
    const loaded = (await loadCheatInstance(db.sql, 17091392013n))!
    const weapons = loaded.players.flatMap((p) => p.characters.flatMap((c) => c.weapons))
    expect(weapons.filter((w) => w.ammoType === "Heavy").length).toBeGreaterThan(0)
    expect(weapons.filter((w) => w.ammoType === null && w.slot === null && w.element === null).length).toBeGreaterThan(0)
    expect(loaded.seasonId).toBe(29)
    expect(loaded.activityId).toBe(14)
  })

  test("Bungie's 32,767 s cap loads as stored", async () => {
    const loaded = (await loadCheatInstance(db.sql, 7315438924n))!
    const capped = loaded.players.flatMap((p) => p.characters).filter((c) => c.timePlayedSeconds === 32_767)
    expect(capped.length).toBe(6)
  })

  test("several ids in one call, missing ones absent; a missing id alone is null", async () => {
    const many = await loadCheatInstances(db.sql, [17091392013n, 1n, 6870306963n, 17091392013n])
    expect(many.map((i) => i.instanceId)).toEqual([6870306963n, 17091392013n])
    expect(await loadCheatInstance(db.sql, 1n)).toBeNull()
    expect(await loadCheatInstances(db.sql, [])).toEqual([])
  })
})

describe("broken rows load without error", () => {
  test("zero duration, a player without characters, a character without weapons, an undefined weapon, no class", async () => {
    const instanceId = 99_000_000_001n
    const [p1, p2, p3] = [4611686018400000001n, 4611686018400000002n, 4611686018400000003n]
    const c1 = 2305843009200000001n
    const c3 = 2305843009200000003n
    await db.sql.begin(async (tx) => {
      await tx.unsafe(
        "insert into core.player (membership_id, last_seen, first_seen) values ($1, now(), now()), ($2, now(), now()), ($3, now(), now())",
        [p1.toString(), p2.toString(), p3.toString()],
      )
      await tx.unsafe(
        `insert into core.instance (instance_id, hash, completed, fresh, flawless, player_count, date_started, date_completed, duration, platform_type, skull_hashes)
         values ($1, 3881495763, true, true, null, 3, '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', 0, 3, '{2392637702}')`,
        [instanceId.toString()],
      )
      await tx.unsafe(
        `insert into core.instance_player (instance_id, membership_id, completed, time_played_seconds)
         values ($1, $2, true, 32767), ($1, $3, false, 0), ($1, $4, true, 10)`,
        [instanceId.toString(), p1.toString(), p2.toString(), p3.toString()],
      )
      await tx.unsafe(
        `insert into extended.instance_character (instance_id, membership_id, character_id, class_hash, completed, kills, time_played_seconds)
         values ($1, $2, $3, null, true, 5, 32767), ($1, $4, $5, 2271682572, true, 0, 10)`,
        [instanceId.toString(), p1.toString(), c1.toString(), p3.toString(), c3.toString()],
      )
      await tx.unsafe(
        `insert into extended.instance_character_weapon (instance_id, membership_id, character_id, weapon_hash, kills, precision_kills)
         values ($1, $2, $3, 123, 5, 0)`,
        [instanceId.toString(), p1.toString(), c1.toString()],
      )
    })

    const loaded = (await loadCheatInstance(db.sql, instanceId))!
    expect(loaded.durationSeconds).toBe(0)
    expect(loaded.flawless).toBeNull()
    expect(loaded.skullHashes).toEqual([2392637702])
    expect(loaded.players.map((p) => p.membershipId)).toEqual([p1, p2, p3])
    expect(loaded.players[0]!.characters[0]!.classHash).toBeNull()
    expect(loaded.players[0]!.characters[0]!.weapons).toEqual([
      { weaponHash: 123, kills: 5, precisionKills: 0, slot: null, ammoType: null, element: null },
    ])
    expect(loaded.players[1]!.characters).toEqual([])
    expect(loaded.players[2]!.characters[0]!.weapons).toEqual([])
    expect(loaded.dateStarted.toISOString()).toBe("2024-03-01T00:00:00.000Z")

    const verdict = checkInstance(loaded, DEFAULT_HEURISTICS, "t")
    for (const p of [verdict.instanceProbability, ...verdict.players.map((x) => x.probability)]) {
      expect(p).toBeGreaterThanOrEqual(0)
      expect(p).toBeLessThanOrEqual(1)
    }
  })

  test("an instance without any players", async () => {
    const instanceId = 99_000_000_002n
    await db.sql.unsafe(
      `insert into core.instance (instance_id, hash, completed, fresh, flawless, player_count, date_started, date_completed, duration, platform_type)
       values ($1, 3881495763, false, null, false, 0, '2024-03-01T00:00:00Z', '2024-03-01T00:10:00Z', 600, 3)`,
      [instanceId.toString()],
    )
    const loaded = (await loadCheatInstance(db.sql, instanceId))!
    expect(loaded.players).toEqual([])
    expect(loaded.fresh).toBeNull()
    expect(checkInstance(loaded, DEFAULT_HEURISTICS, "t").instanceProbability).toBe(0)
  })
})

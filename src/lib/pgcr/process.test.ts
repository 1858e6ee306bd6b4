/**
 * Every PGCR fixture, with outcomes worked out by hand from the rules (research raidhub.md §3) and
 * the fixture files (see ../shared/fixtures/pgcr/SOURCES.md). Arithmetic is spelled out in the
 * comments so a reviewer can redo it.
 */
import { describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureJson } from "../fixtures.ts"
import { unwrapPgcrEnvelope } from "./envelope.ts"
import { processPgcr } from "./process.ts"
import type { ProcessResult, RaidResult } from "./result.ts"
import type { ProcessedCharacter, ProcessedPlayer } from "./types.ts"

const defs = loadDefinitions()

function fixtureBody(name: string): unknown {
  const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
  if (unwrapped.kind !== "ok") throw new Error(`${name}: ${unwrapped.reason}`)
  return unwrapped.body
}

function processFixture(name: string): ProcessResult {
  return processPgcr(fixtureBody(name), defs)
}

function raid(name: string): RaidResult {
  const result = processFixture(name)
  if (result.kind !== "raid") throw new Error(`${name}: expected raid, got ${JSON.stringify(result)}`)
  return result
}

function player(r: RaidResult, membershipId: string): ProcessedPlayer {
  const p = r.instance.players.find((x) => x.player.membershipId === membershipId)
  if (!p) throw new Error(`player ${membershipId} missing`)
  return p
}

function character(r: RaidResult, characterId: string): ProcessedCharacter {
  for (const p of r.instance.players) {
    const c = p.characters.find((x) => x.characterId === characterId)
    if (c) return c
  }
  throw new Error(`character ${characterId} missing`)
}

interface Expected {
  activityId: number
  versionId: number
  completed: boolean
  fresh: boolean | null
  flawless: boolean | null
  playerCount: number
  entries: number
  durationSeconds: number
  dateStarted: string
  dateCompleted: string
  finishers: number
}

const EXPECTED: Record<string, Expected> = {
  // Scourge of the Past, pre-Beyond Light: startingPhaseIndex 0 ≤ 1 → fresh. Deaths → not flawless.
  // 01:09:09 + 3187 s (53m07s) = 02:02:16. derpydog0228 has 3 entries → 6 players, all finish.
  "6870306963.json": {
    activityId: 5,
    versionId: 1,
    completed: true,
    fresh: true,
    flawless: false,
    playerCount: 6,
    entries: 8,
    durationSeconds: 3187,
    dateStarted: "2020-09-07T01:09:09.000Z",
    dateCompleted: "2020-09-07T02:02:16.000Z",
    finishers: 6,
  },
  // Deep Stone Crypt, Beyond Light era → fresh null; deaths → flawless false (not null).
  // Several entries hit the 32767 s cap, so the 77731 s duration is kept: 18:01:01 + 21h35m31s.
  "7315438924.json": {
    activityId: 8,
    versionId: 1,
    completed: true,
    fresh: null,
    flawless: false,
    playerCount: 10,
    entries: 10,
    durationSeconds: 77731,
    dateStarted: "2020-11-21T18:01:01.000Z",
    dateCompleted: "2020-11-22T15:36:32.000Z",
    finishers: 6,
  },
  // Garden of Salvation duo, Beyond Light era → fresh null; 2 deaths each → flawless false. 16:05:28 + 26m32s.
  "8919920769.json": {
    activityId: 7,
    versionId: 1,
    completed: true,
    fresh: null,
    flawless: false,
    playerCount: 2,
    entries: 2,
    durationSeconds: 1592,
    dateStarted: "2021-08-02T16:05:28.000Z",
    dateCompleted: "2021-08-02T16:32:00.000Z",
    finishers: 2,
  },
  // Vow Master, Witch Queen era: flag false and deaths > 0 → fresh null. 17:03:39 + 46m05s.
  "10629996107.json": {
    activityId: 10,
    versionId: 4,
    completed: true,
    fresh: null,
    flawless: false,
    playerCount: 6,
    entries: 8,
    durationSeconds: 2765,
    dateStarted: "2022-04-19T17:03:39.000Z",
    dateCompleted: "2022-04-19T17:49:44.000Z",
    finishers: 6,
  },
  // Vault of Glass duo after Haunted: flag true, 0 deaths → fresh, flawless. 03:31:25 + 44m42s.
  "10902450421.json": {
    activityId: 9,
    versionId: 1,
    completed: true,
    fresh: true,
    flawless: true,
    playerCount: 2,
    entries: 2,
    durationSeconds: 2682,
    dateStarted: "2022-06-06T03:31:25.000Z",
    dateCompleted: "2022-06-06T04:16:07.000Z",
    finishers: 2,
  },
  // Crota's End, 6 players, no deaths, flag true. 22:19:26 + 31m54s.
  "13951743181.json": {
    activityId: 13,
    versionId: 1,
    completed: true,
    fresh: true,
    flawless: true,
    playerCount: 6,
    entries: 6,
    durationSeconds: 1914,
    dateStarted: "2023-10-09T22:19:26.000Z",
    dateCompleted: "2023-10-09T22:51:20.000Z",
    finishers: 6,
  },
  // Root of Nightmares solo flawless. 00:54:26 + 53m07s.
  "14287236297.json": {
    activityId: 12,
    versionId: 1,
    completed: true,
    fresh: true,
    flawless: true,
    playerCount: 1,
    entries: 1,
    durationSeconds: 3187,
    dateStarted: "2024-01-04T00:54:26.000Z",
    dateCompleted: "2024-01-04T01:47:33.000Z",
    finishers: 1,
  },
  // Root trio: Ceriumz died once → fresh but not flawless. 03:03:33 + 49m58s.
  "14382834255.json": {
    activityId: 12,
    versionId: 1,
    completed: true,
    fresh: true,
    flawless: false,
    playerCount: 3,
    entries: 3,
    durationSeconds: 2998,
    dateStarted: "2024-01-29T03:03:33.000Z",
    dateCompleted: "2024-01-29T03:53:31.000Z",
    finishers: 3,
  },
  // Root, completionReason 255, nobody completed. Duration 4835 vs last departure 4803: within the
  // slack, kept. 18:58:46 + 1h20m35s.
  "14720975287.json": {
    activityId: 12,
    versionId: 1,
    completed: false,
    fresh: true,
    flawless: false,
    playerCount: 6,
    entries: 6,
    durationSeconds: 4835,
    dateStarted: "2024-04-27T18:58:46.000Z",
    dateCompleted: "2024-04-27T20:19:21.000Z",
    finishers: 0,
  },
  // Pantheon (Nezarec Sublime, activity 101 version 131): stored as its own activity. No completion.
  // 11 entries, 7 players. 03:29:52 + 3h08m12s.
  "14880666670.json": {
    activityId: 101,
    versionId: 131,
    completed: false,
    fresh: true,
    flawless: false,
    playerCount: 7,
    entries: 11,
    durationSeconds: 11292,
    dateStarted: "2024-05-27T03:29:52.000Z",
    dateCompleted: "2024-05-27T06:38:04.000Z",
    finishers: 0,
  },
  // Garden (1042180643), 6 entries of 2 players, completionReason 255. 19:25:17 + 34m29s.
  "17091200569.json": {
    activityId: 7,
    versionId: 1,
    completed: false,
    fresh: true,
    flawless: false,
    playerCount: 2,
    entries: 6,
    durationSeconds: 2069,
    dateStarted: "2026-07-26T19:25:17.000Z",
    dateCompleted: "2026-07-26T19:59:46.000Z",
    finishers: 0,
  },
  // Last Wish: one character has completed=1 but completionReason is 2 (Failed) → nobody finished.
  // 20:17:19 + 9m54s = 20:27:13 (the end bungie.md §9 quotes).
  "17091283535.json": {
    activityId: 4,
    versionId: 1,
    completed: false,
    fresh: true,
    flawless: false,
    playerCount: 2,
    entries: 2,
    durationSeconds: 594,
    dateStarted: "2026-07-26T20:17:19.000Z",
    dateCompleted: "2026-07-26T20:27:13.000Z",
    finishers: 0,
  },
  // Salvation's Edge full clear, fresh, deaths. 20:43:06 + 20m46s.
  "17091392013.json": {
    activityId: 14,
    versionId: 1,
    completed: true,
    fresh: true,
    flawless: false,
    playerCount: 6,
    entries: 6,
    durationSeconds: 1246,
    dateStarted: "2026-07-26T20:43:06.000Z",
    dateCompleted: "2026-07-26T21:03:52.000Z",
    finishers: 6,
  },
  // Root checkpoint: flag false after Haunted → fresh false even though startingPhaseIndex is 0.
  // Vick XCII has 2 entries. 21:22:51 + 4m51s = 21:27:42.
  "17091462346.json": {
    activityId: 12,
    versionId: 1,
    completed: true,
    fresh: false,
    flawless: false,
    playerCount: 6,
    entries: 7,
    durationSeconds: 291,
    dateStarted: "2026-07-26T21:22:51.000Z",
    dateCompleted: "2026-07-26T21:27:42.000Z",
    finishers: 6,
  },
  // Vault of Glass Master (3022541210 → version 4), checkpoint, nobody completed. 21:21:21 + 10m10s.
  "17091467640.json": {
    activityId: 9,
    versionId: 4,
    completed: false,
    fresh: false,
    flawless: false,
    playerCount: 6,
    entries: 7,
    durationSeconds: 610,
    dateStarted: "2026-07-26T21:21:21.000Z",
    dateCompleted: "2026-07-26T21:31:31.000Z",
    finishers: 0,
  },
}

const NON_RAID: Record<string, { mode: number; hash: number; dateCompleted: string }> = {
  // Dungeon, mode 82. 116285 s = 1d 8h18m05s; entries hit the 32767 cap, so it is not clamped.
  "15897664962.json": { mode: 82, hash: 3521648250, dateCompleted: "2025-02-13T05:17:26.000Z" },
  // Strike-type, mode 3. 20:45:34 + 1063 s (17m43s).
  "17091392014.json": { mode: 3, hash: 935938264, dateCompleted: "2026-07-26T21:03:17.000Z" },
}

describe("processPgcr on every fixture", () => {
  test("every PGCR fixture has an expectation here", () => {
    const covered = new Set([...Object.keys(EXPECTED), ...Object.keys(NON_RAID), "15780000000.json"])
    expect(listPgcrFixtureNames().filter((n) => !covered.has(n))).toEqual([])
  })

  for (const [name, want] of Object.entries(EXPECTED)) {
    test(`${name} instance fields`, () => {
      const r = raid(name)
      const i = r.instance
      expect(i.instanceId).toBe(name.replace(".json", ""))
      expect({ activityId: r.activityId, versionId: r.versionId }).toEqual({ activityId: want.activityId, versionId: want.versionId })
      expect({
        completed: i.completed,
        fresh: i.fresh,
        flawless: i.flawless,
        playerCount: i.playerCount,
        durationSeconds: i.durationSeconds,
        dateStarted: i.dateStarted,
        dateCompleted: i.dateCompleted,
      }).toEqual({
        completed: want.completed,
        fresh: want.fresh,
        flawless: want.flawless,
        playerCount: want.playerCount,
        durationSeconds: want.durationSeconds,
        dateStarted: want.dateStarted,
        dateCompleted: want.dateCompleted,
      })
      expect(i.players.filter((p) => p.finished).length).toBe(want.finishers)
      expect(i.players.reduce((n, p) => n + p.characters.length, 0)).toBe(want.entries)
      expect(i.skullHashes).toEqual([])
      for (const p of i.players) {
        expect(p.isFirstClear).toBe(false)
        expect(p.sherpas).toBe(0)
        expect(p.player.firstSeen).toBe(want.dateStarted)
        expect(p.timePlayedSeconds).toBeLessThanOrEqual(i.durationSeconds)
      }
    })
  }

  test("Pantheon is stored as its own raid-like activity, not as a raid", () => {
    const r = raid("14880666670.json")
    expect(r.isPantheon).toBe(true)
    expect(r.isRaid).toBe(false)
    const lw = raid("17091283535.json")
    expect(lw.isPantheon).toBe(false)
    expect(lw.isRaid).toBe(true)
  })

  for (const [name, want] of Object.entries(NON_RAID)) {
    test(`${name} is a non-raid`, () => {
      expect(processFixture(name)).toEqual({
        kind: "nonRaid",
        instanceId: name.replace(".json", ""),
        mode: want.mode,
        hash: want.hash,
        dateCompleted: want.dateCompleted,
        unknownRaidHash: false,
      })
    })
  }

  test("the D2Asun dataset record is rejected as not API format", () => {
    const r = processPgcr(readPgcrFixtureJson("15780000000.json"), defs)
    expect(r.kind).toBe("badFormat")
    if (r.kind !== "badFormat") return
    expect(r.code).toBe("notApiFormat")
    expect(r.reason).toContain("dataset")
    expect(r.instanceId).toBe("15780000000")
  })

  test("the dataset record is still rejected without its _id/archived keys (flattened stats)", () => {
    const record = readPgcrFixtureJson("15780000000.json") as Record<string, unknown>
    const { _id, archived, ...rest } = record
    const r = processPgcr(
      { ...rest, activityDetails: { ...(rest.activityDetails as object), mode: 4, directorActivityHash: 2381413764 } },
      defs,
    )
    expect(r.kind).toBe("badFormat")
    if (r.kind !== "badFormat") return
    expect(r.code).toBe("notApiFormat")
    expect(r.reason).toContain("entries[0].values.")
    expect(r.reason).toContain("flattened")
  })
})

describe("per-player and per-character values", () => {
  test("6870306963: a 3-character player, union of intervals and lastSeen over all characters", () => {
    const r = raid("6870306963.json")
    // derpydog0228: [989,1846) ∪ [3,3187) ∪ [858,956) = [3,3187) → 3184 s.
    const derpy = player(r, "4611686018463059026")
    expect(derpy.characters.map((c) => c.characterId)).toEqual(["2305843009300915343", "2305843009639504311", "2305843009639504312"])
    expect(derpy.timePlayedSeconds).toBe(3184)
    expect(derpy.finished).toBe(true) // second character completed
    // Latest departure 3 + 3184 = 3187 → 02:02:16 (the first character alone would say 989+857=1846).
    expect(derpy.player.lastSeen).toBe("2020-09-07T02:02:16.000Z")
    expect(player(r, "4611686018475277314").timePlayedSeconds).toBe(530) // joined at 2657
    expect(player(r, "4611686018440744095").timePlayedSeconds).toBe(3187)
    const jersey = player(r, "4611686018467991695")
    expect(jersey.player.bungieGlobalDisplayName).toBe("Jersey")
    expect(jersey.player.bungieGlobalDisplayNameCode).toBe("0472")
    expect(jersey.player.membershipType).toBe(3)

    expect(character(r, "2305843009263810797")).toEqual({
      characterId: "2305843009263810797",
      classHash: 3655393761,
      emblemHash: 2029506313,
      completed: true,
      score: 0,
      kills: 135,
      deaths: 8,
      assists: 14,
      precisionKills: 13,
      superKills: 0,
      grenadeKills: 0,
      meleeKills: 10,
      startSeconds: 0,
      timePlayedSeconds: 3187,
      weapons: [
        { weaponHash: 3580904581, kills: 3, precisionKills: 0 },
        { weaponHash: 1865351684, kills: 89, precisionKills: 13 },
        { weaponHash: 3993415705, kills: 16, precisionKills: 0 },
        { weaponHash: 2357297366, kills: 4, precisionKills: 0 },
        { weaponHash: 578459533, kills: 3, precisionKills: 0 },
      ],
    })
    const idle = character(r, "2305843009639504312")
    expect(idle.completed).toBe(false)
    expect(idle.kills).toBe(0)
    expect(idle.weapons).toEqual([])
  })

  test("7315438924: capped time played is taken as reported", () => {
    const r = raid("7315438924.json")
    expect(player(r, "4611686018440744095").timePlayedSeconds).toBe(32767) // [1, 32768)
    expect(player(r, "4611686018498740229").timePlayedSeconds).toBe(6518) // [32767, 39285)
    expect(player(r, "4611686018467874645").timePlayedSeconds).toBe(32767) // [21913, 54680)
    expect(player(r, "4611686018431824131").finished).toBe(false)
    expect(player(r, "4611686018431824131").player.bungieGlobalDisplayNameCode).toBe("0355")
    const c = character(r, "2305843009263810795")
    expect([c.kills, c.deaths, c.assists, c.precisionKills, c.superKills, c.grenadeKills, c.meleeKills]).toEqual([
      4443, 281, 762, 585, 64, 169, 166,
    ])
    expect(c.weapons.length).toBe(11)
    expect(c.weapons[0]).toEqual({ weaponHash: 2222560548, kills: 1729, precisionKills: 452 })
  })

  test("10629996107: two characters with a gap are summed, not bridged", () => {
    const r = raid("10629996107.json")
    // DPeezy: [42,2169) + [2198,2765) = 2127 + 567.
    expect(player(r, "4611686018429719413").timePlayedSeconds).toBe(2694)
    // Onpam: [38,2168) + [2188,2765) = 2130 + 577.
    expect(player(r, "4611686018487010506").timePlayedSeconds).toBe(2707)
    expect(player(r, "4611686018429719413").finished).toBe(true)
    expect(player(r, "4611686018429719413").player.lastSeen).toBe("2022-04-19T17:49:44.000Z")
    expect(character(r, "2305843009265295636").weapons).toEqual([{ weaponHash: 2261046232, kills: 19, precisionKills: 12 }])
  })

  test("10902450421: duo profiles and characters", () => {
    const r = raid("10902450421.json")
    const rho = player(r, "4611686018483911049")
    expect(rho.timePlayedSeconds).toBe(2678) // [4, 2682)
    expect(rho.player).toEqual({
      membershipId: "4611686018483911049",
      membershipType: 3,
      firstSeen: "2022-06-06T03:31:25.000Z",
      lastSeen: "2022-06-06T04:16:07.000Z",
      iconPath: rho.player.iconPath,
      displayName: "Rho (PC)",
      bungieGlobalDisplayName: "Rho",
      bungieGlobalDisplayNameCode: "9234",
    })
    expect(typeof rho.player.iconPath).toBe("string")
    const c = character(r, "2305843009828724290")
    expect([c.kills, c.assists, c.precisionKills, c.superKills, c.grenadeKills, c.meleeKills, c.weapons.length]).toEqual([
      698, 17, 31, 33, 36, 35, 7,
    ])
    expect(player(r, "4611686018440744095").player.membershipType).toBe(1)
    expect(r.instance.membershipType).toBe(3)
  })

  test("14287236297: solo character with 12 weapons", () => {
    const c = character(raid("14287236297.json"), "2305843009468984093")
    expect([c.kills, c.deaths, c.precisionKills, c.superKills, c.grenadeKills, c.meleeKills, c.weapons.length]).toEqual([
      747, 0, 123, 22, 6, 202, 12,
    ])
    expect(c.weapons[4]).toEqual({ weaponHash: 2907129557, kills: 207, precisionKills: 30 })
  })

  test("14880666670 (Pantheon): players with two characters", () => {
    const r = raid("14880666670.json")
    // Sage: [5539,8237) inside [1,11260) → 11259.
    expect(player(r, "4611686018468439547").timePlayedSeconds).toBe(11259)
    // Deaht: [1,8264) + [8290,11119) = 8263 + 2829.
    expect(player(r, "4611686018468622561").timePlayedSeconds).toBe(11092)
    // Klotas_Draco: [47,10789) ⊇ [5531,8268) → 10742.
    expect(player(r, "4611686018493683030").timePlayedSeconds).toBe(10742)
    expect(player(r, "4611686018463042271").player.bungieGlobalDisplayNameCode).toBe("0354")
    expect(character(r, "2305843009260819084").score).toBe(511630)
  })

  test("17091200569: 6 entries, 2 players, overlapping characters", () => {
    const r = raid("17091200569.json")
    // MistaHates4s: [789,1770) ∪ [543,2037) ∪ [995,1544) = [543,2037) → 1494; leaves at 2037 → 19:59:14.
    const mista = player(r, "4611686018462874397")
    expect(mista.characters.length).toBe(3)
    expect(mista.timePlayedSeconds).toBe(1494)
    expect(mista.player.lastSeen).toBe("2026-07-26T19:59:14.000Z")
    // GiornoDrinkT: [889,1446) ∪ [684,1672) ∪ [0,1916) = [0,1916) → 1916.
    const giorno = player(r, "4611686018473876278")
    expect(giorno.timePlayedSeconds).toBe(1916)
    expect(giorno.player.lastSeen).toBe("2026-07-26T19:57:13.000Z")
    expect(character(r, "2305843009918354004")).toMatchObject({
      kills: 25,
      meleeKills: 12,
      weapons: [{ weaponHash: 2965080304, kills: 7, precisionKills: 0 }],
    })
    expect(r.instance.membershipType).toBe(0)
    expect(r.instance.players.map((p) => p.player.membershipId)).toEqual(["4611686018462874397", "4611686018473876278"])
  })

  test("17091283535: completed stat without an objective completion is not a finish", () => {
    const r = raid("17091283535.json")
    const baby = player(r, "4611686018525602185")
    expect(baby.characters[0]!.completed).toBe(true)
    expect(baby.finished).toBe(false)
    expect(baby.timePlayedSeconds).toBe(594)
    expect(player(r, "4611686018526091664").timePlayedSeconds).toBe(236) // [309, 545)
    expect(player(r, "4611686018526091664").player.bungieGlobalDisplayName).toBe("Xivu’s mushroom stamp")
  })

  test("17091462346 and 17091467640: players with a short second character", () => {
    const root = raid("17091462346.json")
    // Vick XCII: [54,291) + [0,24) = 237 + 24.
    expect(player(root, "4611686018527934833").timePlayedSeconds).toBe(261)
    expect(player(root, "4611686018527934833").finished).toBe(true)
    const vog = raid("17091467640.json")
    // nukeguy2019: [47,557) + [0,25) = 510 + 25.
    expect(player(vog, "4611686018453427950").timePlayedSeconds).toBe(535)
    expect(vog.instance.membershipType).toBe(3)
  })

  test("17091392013: weapons of one character", () => {
    const c = character(raid("17091392013.json"), "2305843009311474238")
    expect(c.kills).toBe(226)
    expect(c.weapons.map((w) => w.weaponHash)).toEqual([
      42435996, 1111334348, 393652859, 3460576091, 2386208942, 3211806999, 2697143634, 4069880346, 1085743380,
    ])
    expect(c.weapons[0]).toEqual({ weaponHash: 42435996, kills: 73, precisionKills: 4 })
  })
})

describe("raid filter", () => {
  const body = () => structuredClone(fixtureBody("17091392013.json")) as { activityDetails: Record<string, unknown> }

  test("an unknown hash in raid mode is a non-raid flagged unknownRaidHash", () => {
    const pgcr = body()
    pgcr.activityDetails.directorActivityHash = 940375169 // third-party SE hash, not in RaidHub's seed
    const r = processPgcr(pgcr, defs)
    expect(r).toMatchObject({ kind: "nonRaid", hash: 940375169, mode: 4, unknownRaidHash: true })
  })

  test("a known raid hash outside raid mode is a non-raid", () => {
    const pgcr = body()
    pgcr.activityDetails.mode = 2
    pgcr.activityDetails.modes = [7, 2]
    expect(processPgcr(pgcr, defs)).toMatchObject({ kind: "nonRaid", unknownRaidHash: false })
  })

  test("raid mode listed only in modes still counts", () => {
    const pgcr = body()
    pgcr.activityDetails.mode = 7
    expect(processPgcr(pgcr, defs).kind).toBe("raid")
  })

  test("processing is deterministic", () => {
    expect(JSON.stringify(processPgcr(body(), defs))).toBe(JSON.stringify(processPgcr(body(), defs)))
  })
})

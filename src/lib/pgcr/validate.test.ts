/**
 * The validation rules (research raidhub.md §3.1) and the field rules of §3.2–3.3, one by one, on
 * edited copies of real fixtures.
 */
import { describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { readPgcrFixtureJson } from "../fixtures.ts"
import { unwrapPgcrEnvelope } from "./envelope.ts"
import { processPgcr } from "./process.ts"
import type { BadFormatResult, ProcessResult } from "./result.ts"
import type { ProcessedInstance } from "./types.ts"

const defs = loadDefinitions()

// Loose JSON view of a PGCR for editing in tests.
type Pgcr = Record<string, any>

function fixture(name: string): Pgcr {
  const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
  if (unwrapped.kind !== "ok") throw new Error(unwrapped.reason)
  return unwrapped.body as Pgcr
}

function bad(result: ProcessResult): BadFormatResult {
  if (result.kind !== "badFormat") throw new Error(`expected badFormat, got ${result.kind}`)
  return result
}

function instance(result: ProcessResult): ProcessedInstance {
  if (result.kind !== "raid") throw new Error(`expected raid, got ${JSON.stringify(result)}`)
  return result.instance
}

const stat = (value: number) => ({ basic: { value, displayValue: String(value) } })

describe("validation", () => {
  test("fewer entries than playerCount: incomplete, refetch later", () => {
    const p = fixture("13951743181.json")
    p.entries = p.entries.slice(0, 4)
    const r = bad(processPgcr(p, defs))
    expect(r.code).toBe("incomplete")
    expect(r.reason).toBe("incomplete: entries[0].values.playerCount: says 6 but only 4 entries arrived (fetched too early?)")
    expect(r.instanceId).toBe("13951743181")
  })

  test("more entries than playerCount, or a missing playerCount: malformed", () => {
    const p = fixture("13951743181.json")
    p.entries[0].values.playerCount = stat(5)
    expect(bad(processPgcr(p, defs))).toMatchObject({ code: "malformed" })
    delete p.entries[0].values.playerCount
    expect(bad(processPgcr(p, defs)).reason).toContain("says 0 but there are 6 entries")
  })

  test("a negative playerCount (Bungie's 'unknown') skips the check, as the original did", () => {
    const p = fixture("13951743181.json")
    p.entries[0].values.playerCount = stat(-1)
    expect(instance(processPgcr(p, defs)).playerCount).toBe(6)
  })

  test("missing extended data on any entry is incomplete (the original's check never ran)", () => {
    const p = fixture("13951743181.json")
    delete p.entries[3].extended
    expect(bad(processPgcr(p, defs))).toEqual({
      kind: "badFormat",
      code: "incomplete",
      reason: "incomplete: entries[*].extended: missing for entries 3",
      instanceId: "13951743181",
    })
    for (const e of p.entries) delete e.extended
    expect(bad(processPgcr(p, defs)).reason).toContain("missing for every entry")
  })

  test("no one played: every entry has duration 0", () => {
    const p = fixture("10902450421.json")
    for (const e of p.entries) e.values.activityDurationSeconds = stat(0)
    expect(bad(processPgcr(p, defs)).reason).toContain("no one played")
  })

  test("a membership id of 0 is rejected on every entry, not only the first", () => {
    const p = fixture("13951743181.json")
    p.entries[5].player.destinyUserInfo.membershipId = "0"
    expect(bad(processPgcr(p, defs)).reason).toBe("malformed: entries[5].player.destinyUserInfo.membershipId: id must be positive, got 0")
  })

  test("since The Witch Queen the started-from-beginning flag is required (incomplete when absent)", () => {
    const p = fixture("13951743181.json")
    delete p.activityWasStartedFromBeginning
    expect(bad(processPgcr(p, defs))).toMatchObject({ code: "incomplete" })
    p.activityWasStartedFromBeginning = null
    expect(bad(processPgcr(p, defs)).reason).toContain("activityWasStartedFromBeginning")
  })

  test("before The Witch Queen startingPhaseIndex is required", () => {
    const p = fixture("8919920769.json")
    delete p.startingPhaseIndex
    expect(bad(processPgcr(p, defs)).reason).toBe("malformed: startingPhaseIndex: is missing (required before The Witch Queen)")
    const q = fixture("8919920769.json")
    delete q.activityWasStartedFromBeginning // not needed in that era
    expect(instance(processPgcr(q, defs)).fresh).toBeNull()
  })

  test("period must be RFC 3339", () => {
    const p = fixture("10902450421.json")
    p.period = "2022-06-06 03:31:25"
    expect(bad(processPgcr(p, defs)).reason).toBe('malformed: period: not an RFC 3339 timestamp: "2022-06-06 03:31:25"')
    p.period = 1654486285
    expect(bad(processPgcr(p, defs)).reason).toBe("malformed: period: expected an RFC 3339 string, got number 1654486285")
  })

  test("a repeated character id cannot be stored", () => {
    const p = fixture("10902450421.json")
    p.entries[1].characterId = p.entries[0].characterId
    expect(bad(processPgcr(p, defs)).reason).toContain("entries[1].characterId")
  })

  test("negative seconds and out-of-range stats name the field", () => {
    const p = fixture("10902450421.json")
    p.entries[1].values.startSeconds = stat(-4)
    expect(bad(processPgcr(p, defs)).reason).toBe("malformed: entries[1].values.startSeconds.basic.value: must not be negative, got -4")
    const q = fixture("10902450421.json")
    q.entries[0].extended.values.precisionKills = stat(1e12)
    expect(bad(processPgcr(q, defs)).reason).toContain(
      "entries[0].extended.values.precisionKills.basic.value: 1000000000000 is out of range",
    )
    const r = fixture("10902450421.json")
    r.entries[0].values.kills = { basic: { value: "NaN" } }
    expect(bad(processPgcr(r, defs)).reason).toBe(
      'malformed: entries[0].values.kills.basic.value: expected a finite number, got string "NaN"',
    )
  })

  test("ids: strings and bigints are accepted, precision-losing numbers are not", () => {
    const p = fixture("14287236297.json")
    p.activityDetails.instanceId = 14287236297n
    p.entries[0].player.destinyUserInfo.membershipId = 4611686018488107374n
    const i = instance(processPgcr(p, defs))
    expect(i.instanceId).toBe("14287236297")
    expect(i.players[0]!.player.membershipId).toBe("4611686018488107374")
    // biome-ignore lint/correctness/noPrecisionLoss: the point of the test: a JS number is already rounded
    p.entries[0].characterId = 2305843009468984093
    expect(bad(processPgcr(p, defs)).reason).toMatch(/^malformed: entries\[0\]\.characterId: id \d+ is a JS number beyond 2\^53/)
    p.entries[0].characterId = "2305843009468984093"
    p.activityDetails.instanceId = 14287236297 // safe integer: exact, accepted
    expect(instance(processPgcr(p, defs)).instanceId).toBe("14287236297")
  })
})

describe("field rules", () => {
  test("skull hashes: deduplicated, zeros dropped, ascending", () => {
    const p = fixture("17091392013.json")
    p.selectedSkullHashes = [3830595819, 0, 550488408, 295800916, 295800916, 3830595819, 0]
    expect(instance(processPgcr(p, defs)).skullHashes).toEqual([295800916, 550488408, 3830595819])
    p.selectedSkullHashes = [1, -5]
    expect(bad(processPgcr(p, defs)).reason).toContain("selectedSkullHashes[1]")
  })

  test("profile fields only when the membership type is known", () => {
    const p = fixture("17091392013.json")
    p.entries[0].player.destinyUserInfo.membershipType = 0
    const i = instance(processPgcr(p, defs))
    expect(i.players[0]!.player).toMatchObject({
      membershipId: "4611686018445419097",
      membershipType: null,
      iconPath: null,
      displayName: null,
      bungieGlobalDisplayName: null,
      bungieGlobalDisplayNameCode: null,
    })
    expect(i.players[1]!.player.membershipType).toBe(3)
  })

  test("Bungie name needs a code and a non-empty name; the code is zero-padded", () => {
    const p = fixture("17091392013.json")
    const u = p.entries[0].player.destinyUserInfo
    u.bungieGlobalDisplayNameCode = 7
    expect(instance(processPgcr(p, defs)).players[0]!.player.bungieGlobalDisplayNameCode).toBe("0007")
    u.bungieGlobalDisplayName = ""
    expect(instance(processPgcr(p, defs)).players[0]!.player).toMatchObject({
      bungieGlobalDisplayName: null,
      bungieGlobalDisplayNameCode: null,
    })
    u.bungieGlobalDisplayName = "War"
    delete u.bungieGlobalDisplayNameCode
    expect(instance(processPgcr(p, defs)).players[0]!.player).toMatchObject({
      bungieGlobalDisplayName: null,
      bungieGlobalDisplayNameCode: null,
    })
  })

  test("class and emblem hash 0 become null (filled later by character fill)", () => {
    const p = fixture("17091392013.json")
    p.entries[2].player.classHash = 0
    delete p.entries[2].player.emblemHash
    const c = instance(processPgcr(p, defs)).players[2]!.characters[0]!
    expect([c.classHash, c.emblemHash]).toEqual([null, null])
  })

  test("a weapon listed twice for one character is merged", () => {
    const p = fixture("17091462346.json")
    const weapons = p.entries[0].extended.weapons
    weapons.push(structuredClone(weapons[0]))
    const c = instance(processPgcr(p, defs)).players[0]!.characters[0]!
    expect(c.weapons).toEqual([
      { weaponHash: 42435996, kills: 26, precisionKills: 0 },
      { weaponHash: 1471212226, kills: 14, precisionKills: 1 },
    ])
  })

  test("stats are truncated toward zero; missing stats read 0", () => {
    const p = fixture("17091462346.json")
    p.entries[0].values.kills = stat(27.9)
    delete p.entries[0].values.assists
    const c = instance(processPgcr(p, defs)).players[0]!.characters[0]!
    expect([c.kills, c.assists]).toEqual([27, 0])
  })

  test("finished needs completionReason 0 on entries[0]", () => {
    const p = fixture("17091462346.json")
    p.entries[0].values.completionReason = stat(2)
    const i = instance(processPgcr(p, defs))
    expect(i.completed).toBe(false)
    expect(i.players.every((x) => !x.finished)).toBe(true)
  })

  test("an absurd duration is clamped to the last departure (dateCompleted follows)", () => {
    const p = fixture("17091462346.json")
    for (const e of p.entries) e.values.activityDurationSeconds = stat(27384)
    const i = instance(processPgcr(p, defs))
    // Last departure: 289 + 2 = 291 → 21:22:51 + 4m51s.
    expect(i.durationSeconds).toBe(291)
    expect(i.dateCompleted).toBe("2026-07-26T21:27:42.000Z")
  })

  test("flawless is null when a deathless completion has unknown freshness", () => {
    const p = fixture("8919920769.json")
    for (const e of p.entries) e.values.deaths = stat(0)
    const i = instance(processPgcr(p, defs))
    expect([i.completed, i.fresh, i.flawless]).toEqual([true, null, null])
  })

  test("Witch Queen era: a false flag on a deathless run is believed", () => {
    const p = fixture("10629996107.json")
    for (const e of p.entries) e.values.deaths = stat(0)
    const i = instance(processPgcr(p, defs))
    expect([i.fresh, i.flawless]).toEqual([false, false])
  })
})

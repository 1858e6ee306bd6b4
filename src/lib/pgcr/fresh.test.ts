import { describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { BEYOND_LIGHT_START_MS, classifyEra, HAUNTED_START_MS, WITCH_QUEEN_START_MS } from "./eras.ts"
import { determineFresh, type FreshInput, LEVIATHAN_HASHES, SCOURGE_OF_THE_PAST_HASHES } from "./fresh.ts"

const LAST_WISH = 2122313384
const SOTP = 548750096
const LEVIATHAN = 2693136600

function fresh(over: Partial<FreshInput>): boolean | null {
  return determineFresh({
    startMs: Date.UTC(2019, 0, 1),
    hash: LAST_WISH,
    startingPhaseIndex: 0,
    activityWasStartedFromBeginning: undefined,
    deathless: false,
    ...over,
  })
}

describe("era boundaries (UTC)", () => {
  test("boundaries are the release moments", () => {
    expect(new Date(BEYOND_LIGHT_START_MS).toISOString()).toBe("2020-11-10T17:00:00.000Z") // 09:00 PST
    expect(new Date(WITCH_QUEEN_START_MS).toISOString()).toBe("2022-02-22T17:00:00.000Z") // 09:00 PST
    expect(new Date(HAUNTED_START_MS).toISOString()).toBe("2022-05-24T17:00:00.000Z") // 10:00 PDT
  })

  test("one millisecond before a boundary is the earlier era, the boundary itself the later one", () => {
    expect(classifyEra(BEYOND_LIGHT_START_MS - 1)).toBe("preBeyondLight")
    expect(classifyEra(BEYOND_LIGHT_START_MS)).toBe("beyondLight")
    expect(classifyEra(WITCH_QUEEN_START_MS - 1)).toBe("beyondLight")
    expect(classifyEra(WITCH_QUEEN_START_MS)).toBe("witchQueen")
    expect(classifyEra(HAUNTED_START_MS - 1)).toBe("witchQueen")
    expect(classifyEra(HAUNTED_START_MS)).toBe("haunted")
  })
})

describe("fresh by era", () => {
  test("pre-Beyond Light: startingPhaseIndex 0 only, for ordinary raids", () => {
    const t = BEYOND_LIGHT_START_MS - 1000
    expect(fresh({ startMs: t, startingPhaseIndex: 0 })).toBe(true)
    expect(fresh({ startMs: t, startingPhaseIndex: 1 })).toBe(false)
    expect(fresh({ startMs: t, startingPhaseIndex: 2 })).toBe(false)
    // The flag is meaningless in this era and ignored.
    expect(fresh({ startMs: t, startingPhaseIndex: 3, activityWasStartedFromBeginning: true })).toBe(false)
  })

  test("pre-Beyond Light Scourge of the Past: index ≤ 1", () => {
    const t = BEYOND_LIGHT_START_MS - 1000
    for (const hash of [548750096, 2812525063]) {
      expect(fresh({ startMs: t, hash, startingPhaseIndex: 0 })).toBe(true)
      expect(fresh({ startMs: t, hash, startingPhaseIndex: 1 })).toBe(true)
      expect(fresh({ startMs: t, hash, startingPhaseIndex: 2 })).toBe(false)
    }
  })

  test("pre-Beyond Light Leviathan: index 0 or 2, for every Leviathan hash", () => {
    const t = Date.UTC(2018, 0, 1)
    for (const hash of LEVIATHAN_HASHES) {
      expect([0, 1, 2, 3].map((i) => fresh({ startMs: t, hash, startingPhaseIndex: i }))).toEqual([true, false, true, false])
    }
  })

  test("Beyond Light → Witch Queen: always unknown", () => {
    for (const t of [BEYOND_LIGHT_START_MS, BEYOND_LIGHT_START_MS + 1000, WITCH_QUEEN_START_MS - 1]) {
      expect(fresh({ startMs: t, startingPhaseIndex: 0, activityWasStartedFromBeginning: true, deathless: true })).toBeNull()
      expect(fresh({ startMs: t, hash: SOTP, startingPhaseIndex: 0 })).toBeNull()
    }
  })

  test("Witch Queen → Haunted: a true flag is believed, a false one only for a deathless run", () => {
    for (const t of [WITCH_QUEEN_START_MS, WITCH_QUEEN_START_MS + 1000, HAUNTED_START_MS - 1]) {
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: true, deathless: false })).toBe(true)
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: true, deathless: true })).toBe(true)
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: false, deathless: true })).toBe(false)
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: false, deathless: false })).toBeNull()
    }
  })

  test("from Haunted on: the flag as reported", () => {
    for (const t of [HAUNTED_START_MS, HAUNTED_START_MS + 1000, Date.UTC(2026, 6, 26)]) {
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: true })).toBe(true)
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: false, deathless: true })).toBe(false)
      expect(fresh({ startMs: t, activityWasStartedFromBeginning: false, deathless: false })).toBe(false)
      // startingPhaseIndex is 0 on every modern report, checkpoints included: ignored.
      expect(fresh({ startMs: t, startingPhaseIndex: 0, activityWasStartedFromBeginning: false })).toBe(false)
    }
  })
})

describe("hash lists agree with the definitions", () => {
  const defs = loadDefinitions()
  test("Leviathan: the 24 hashes of activity 1", () => {
    expect([...LEVIATHAN_HASHES].sort((a, b) => a - b)).toEqual([...defs.hashesOfActivity(1)])
    expect(LEVIATHAN_HASHES.size).toBe(24)
    expect(LEVIATHAN_HASHES.has(LEVIATHAN)).toBe(true)
  })
  test("Scourge of the Past: the hashes of activity 5", () => {
    expect([...SCOURGE_OF_THE_PAST_HASHES].sort((a, b) => a - b)).toEqual([...defs.hashesOfActivity(5)])
  })
})

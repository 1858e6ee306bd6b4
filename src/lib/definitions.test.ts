import { describe, expect, test } from "bun:test"
import { buildDefinitions, loadDefinitions } from "./definitions.ts"

describe("definitions", () => {
  const defs = loadDefinitions()

  test("resolves raid hashes to activity and version", () => {
    expect(defs.resolveHash(1541433876)).toEqual({
      hash: 1541433876,
      activityId: 14,
      versionId: 1,
      activityName: "Salvation's Edge",
      versionName: "Standard",
      isRaid: true,
      isPantheon: false,
      isSunset: false,
      isWorldFirst: false,
      isChallengeMode: false,
      releaseDate: "2024-06-07T17:00:00.000Z",
    })
    expect(defs.resolveHash(1485585878)).toMatchObject({
      activityId: 9,
      versionId: 64,
      versionName: "Tempo's Edge",
      isChallengeMode: true,
      isWorldFirst: true,
    })
    expect(defs.resolveHash(548750096)).toMatchObject({ activityName: "Scourge of the Past", isSunset: true })
  })

  test("Pantheon hashes are known, not raids, and Pantheon", () => {
    const nezarec = defs.resolveHash(4169648182)!
    expect(nezarec).toMatchObject({ activityId: 101, versionId: 131, isRaid: false, isPantheon: true })
    expect(defs.isPantheon(101)).toBe(true)
    expect(defs.isPantheon(102)).toBe(true)
    expect(defs.isPantheon(14)).toBe(false)
    expect(defs.isPantheon(999)).toBe(false)
    expect(defs.resolveHash(747671496)!.releaseDate).toBe("2026-06-13T17:00:00.000Z") // version override
  })

  test("unknown hashes resolve to undefined", () => {
    expect(defs.resolveHash(940375169)).toBeUndefined() // third-party SE hash, not RaidHub's
    expect(defs.resolveHash(0)).toBeUndefined()
  })

  test("non-sunset raids and hashes per activity", () => {
    expect(defs.nonSunsetRaidActivityIds).toEqual([4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
    expect(defs.hashesOfActivity(1).length).toBe(24)
    expect(defs.hashesOfActivity(5)).toEqual([548750096, 2812525063])
    expect(defs.hashesOfActivity(12345)).toEqual([])
    expect(defs.size).toBe(89)
  })

  test("rejects a document that does not fit", () => {
    expect(() => buildDefinitions({})).toThrow("steps")
    expect(() => buildDefinitions({ steps: [] })).toThrow("no activity_version")
    expect(() => buildDefinitions({ steps: [{ tables: { activity_version: [{ hash: 1, activity_id: 1, version_id: 1 }] } }] })).toThrow(
      "unknown activity",
    )
  })
})

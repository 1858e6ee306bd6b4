import { describe, expect, test } from "bun:test"
import type { ProcessedInstance } from "../pgcr/types.ts"
import { toClickhouseDateTime, toClickhouseInstanceRow } from "./clickhouse-instance-row.ts"

const instance: ProcessedInstance = {
  instanceId: "17123456789012345",
  hash: 2192826039,
  completed: false,
  flawless: null,
  fresh: false,
  playerCount: 1,
  dateStarted: "2024-06-07T18:00:00.000Z",
  dateCompleted: "2024-06-07T19:00:00+02:00",
  durationSeconds: 3600,
  membershipType: 3,
  score: -5,
  skullHashes: [1, 2],
  players: [
    {
      finished: false,
      timePlayedSeconds: 100,
      isFirstClear: true,
      sherpas: 2,
      player: {
        membershipId: "4611686018467284386",
        membershipType: null,
        firstSeen: "2024-06-07T18:00:00.000Z",
        lastSeen: "2024-06-07T18:01:40.000Z",
        iconPath: null,
        displayName: null,
        bungieGlobalDisplayName: null,
        bungieGlobalDisplayNameCode: null,
      },
      characters: [
        {
          characterId: "2305843009301046987",
          classHash: null,
          emblemHash: null,
          completed: false,
          score: 1,
          kills: 2,
          deaths: 3,
          assists: 4,
          precisionKills: 5,
          superKills: 6,
          grenadeKills: 7,
          meleeKills: 8,
          startSeconds: 9,
          timePlayedSeconds: 10,
          weapons: [{ weaponHash: 11, kills: 12, precisionKills: 13 }],
        },
      ],
    },
  ],
}

describe("toClickhouseInstanceRow", () => {
  test("maps every field, keeping ids as strings and nulls as 0 / 2", () => {
    expect(toClickhouseInstanceRow(instance, 14, 32)).toEqual({
      instance_id: "17123456789012345",
      hash: 2192826039,
      activity_id: 14,
      version_id: 32,
      completed: 0,
      fresh: 0,
      flawless: 2,
      player_count: 1,
      date_started: "2024-06-07 18:00:00",
      date_completed: "2024-06-07 17:00:00",
      platform_type: 3,
      duration: 3600,
      score: -5,
      skull_hashes: [1, 2],
      players: [
        {
          membership_id: "4611686018467284386",
          membership_type: 0,
          completed: 0,
          time_played_seconds: 100,
          sherpas: 2,
          is_first_clear: 1,
          characters: [
            {
              character_id: "2305843009301046987",
              class_hash: 0,
              emblem_hash: 0,
              completed: 0,
              score: 1,
              kills: 2,
              deaths: 3,
              assists: 4,
              precision_kills: 5,
              super_kills: 6,
              grenade_kills: 7,
              melee_kills: 8,
              start_seconds: 9,
              time_played_seconds: 10,
              weapons: [{ weapon_hash: 11, kills: 12, precision_kills: 13 }],
            },
          ],
        },
      ],
    })
  })

  test("rejects an unparseable date", () => {
    expect(() => toClickhouseDateTime("yesterday")).toThrow(/invalid ISO-8601/)
  })
})

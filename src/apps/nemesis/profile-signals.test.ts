import { expect, test } from "bun:test"
import type { DestinyProfileResponse } from "bungie-api-ts/destiny2"
import { accountSignals } from "./nemesis.ts"
import { profileSignalsFrom, UNKNOWN_PROFILE } from "./profile-signals.ts"
import type { PlayerRow } from "./queries.ts"

test("profileSignalsFrom reads component 100; a missing profile is unknown, not zero", () => {
  const response = {
    profile: {
      data: {
        userInfo: { applicableMembershipTypes: [3, 6] },
        characterIds: ["1", "2"],
        versionsOwned: 0b1111000,
        seasonHashes: [1, 2, 3],
        currentGuardianRank: 7,
        lifetimeHighestGuardianRank: 9,
      },
    },
  } as unknown as DestinyProfileResponse
  expect(profileSignalsFrom(response)).toEqual({
    characterCount: 2,
    versionsOwned: 0b1111000n,
    seasonsOwned: 3,
    lifetimeHighestGuardianRank: 9,
    currentGuardianRank: 7,
    applicableMembershipTypes: [3, 6],
  })
  expect(profileSignalsFrom({} as DestinyProfileResponse)).toEqual(UNKNOWN_PROFILE)
})

test("accountSignals: age from first seen, ratios over the recent clears (0 without any)", () => {
  const now = new Date("2026-03-01T00:00:00Z")
  const player: PlayerRow = {
    membershipId: "1",
    membershipType: 3,
    firstSeen: new Date("2026-02-20T00:00:00Z"),
    lastSeen: now,
    clears: 12,
    cheatLevel: 0,
    whitelisted: false,
    isPrivate: true,
    recentClears: 10,
    recentLowman: 5,
    recentFlawless: 2,
    recentSolo: 1,
  }
  const s = accountSignals(player, UNKNOWN_PROFILE, now)
  expect([s.accountAgeDays, s.lowmanRatio, s.flawlessRatio, s.soloRatio, s.isPrivate, s.characterCount]).toEqual([
    9,
    0.5,
    0.2,
    0.1,
    true,
    null,
  ])
  expect(accountSignals({ ...player, recentClears: 0 }, UNKNOWN_PROFILE, now).lowmanRatio).toBe(0)
})

import { describe, expect, test } from "bun:test"
import { AccountFlag, type AccountSignals, computeAccountCheaterChance, countDlcs } from "./account-chance.ts"

const any = (...ps: number[]) => Math.max(0, 1 - ps.reduce((none, p) => none * (1 - Math.min(1, p)), 1))

/** A long-standing console veteran: every signal quiet or negative. */
const veteran: AccountSignals = {
  accountAgeDays: 2000,
  clears: 900,
  lowmanRatio: 0.1,
  flawlessRatio: 0.01,
  soloRatio: 0,
  membershipType: 2,
  applicableMembershipTypes: [2],
  characterCount: 3,
  versionsOwned: (1n << 12n) - 1n, // bits 0-11: nine DLCs from bit 3 on
  seasonsOwned: 20,
  lifetimeHighestGuardianRank: 11,
  currentGuardianRank: 10,
  isPrivate: false,
}

describe("computeAccountCheaterChance", () => {
  test("a veteran: only the star-clear remainder, pulled down by platform and guardian rank", () => {
    const { chance, flags } = computeAccountCheaterChance(veteran)
    const star = Math.min(0.75, Math.max(0.1 * 0.5, 0.01 * 5, 0)) / ((900 - 70) / 70)
    const ownership = 0.81 ** (9 + 0.5 * 20) - 0.15
    const rank = -0.05 - (11 - 9) * 0.1
    expect(chance).toBeCloseTo(any(0, 0, star, -0.2, 0, ownership, rank, 0), 12)
    expect(chance).toBe(0)
    expect(flags).toBe(0)
  })

  test("a week-old Steam account with one character, few clears, solo flawlesses, private history", () => {
    const s: AccountSignals = {
      ...veteran,
      accountAgeDays: 5,
      clears: 10,
      lowmanRatio: 0.6,
      flawlessRatio: 0.3,
      soloRatio: 0.2,
      membershipType: 3,
      applicableMembershipTypes: [3],
      characterCount: 1,
      versionsOwned: 0b111n,
      seasonsOwned: 0,
      lifetimeHighestGuardianRank: 3,
      currentGuardianRank: 3,
      isPrivate: true,
    }
    const { chance, flags } = computeAccountCheaterChance(s)
    const age = 0.4
    const clears = (50 - 10) / 250
    const star = Math.min(0.75, Math.max(0.3, 1.5, 2)) // ≤ 70 clears: no decay
    const platform = 0.03
    const characters = 0.25
    const ownership = 0.81 ** 0 - 0.15
    const rank = 0.3 + (4 - 3) * 0.05
    expect(chance).toBeCloseTo(any(age, clears, star, platform, characters, ownership, rank, 0.125), 12)
    expect(flags).toBe(
      AccountFlag.Age |
        AccountFlag.Clears |
        AccountFlag.StarClears |
        AccountFlag.Characters |
        AccountFlag.DLCs |
        AccountFlag.GuardianRank |
        AccountFlag.PrivateProfile,
    )
  })

  test("Epic raises the platform signal to 0.06 (the original's min() never did) and sets its flag", () => {
    const steam = computeAccountCheaterChance({
      ...veteran,
      accountAgeDays: 100,
      clears: 60,
      membershipType: 3,
      applicableMembershipTypes: [3],
    })
    const epic = computeAccountCheaterChance({
      ...veteran,
      accountAgeDays: 100,
      clears: 60,
      membershipType: 6,
      applicableMembershipTypes: [6],
    })
    const rest = [0.05, 0, Math.min(0.75, Math.max(0.05, 0.05, 0)), 0, 0.81 ** 19 - 0.15, -0.25, 0]
    expect(steam.chance).toBeCloseTo(any(...rest, 0.03), 12)
    expect(epic.chance).toBeCloseTo(any(...rest, 0.06), 12)
    expect(epic.flags & AccountFlag.Platform).toBe(AccountFlag.Platform)
    expect(steam.flags & AccountFlag.Platform).toBe(0)
  })

  test("guardian rank 5 adds a little; cross-save types count like the current one", () => {
    const rank5 = computeAccountCheaterChance({ ...veteran, lifetimeHighestGuardianRank: 5, currentGuardianRank: 5 })
    expect(rank5.flags & AccountFlag.GuardianRank).toBe(AccountFlag.GuardianRank)
    const crossSave = computeAccountCheaterChance({ ...veteran, membershipType: 2, applicableMembershipTypes: [2, 6] })
    expect(crossSave.flags & AccountFlag.Platform).toBe(AccountFlag.Platform)
  })
})

test("an unreadable profile: characters, ownership and ranks add nothing; the database's signals still count", () => {
  const unknown = computeAccountCheaterChance({
    ...veteran,
    accountAgeDays: 20,
    clears: 30,
    membershipType: 3,
    applicableMembershipTypes: [],
    characterCount: null,
    versionsOwned: null,
    seasonsOwned: null,
    lifetimeHighestGuardianRank: null,
    currentGuardianRank: null,
    isPrivate: true,
  })
  const star = Math.min(0.75, Math.max(0.1 * 0.5, 0.01 * 5, 0))
  expect(unknown.chance).toBeCloseTo(any(0.3, (50 - 30) / 250, star, 0.03, 0.125), 12)
  expect(unknown.flags & (AccountFlag.Characters | AccountFlag.DLCs | AccountFlag.GuardianRank)).toBe(0)
})

test("countDlcs counts owned versions from bit 3 on", () => {
  expect(countDlcs(0b111n)).toBe(0)
  expect(countDlcs(0b1000n)).toBe(1)
  expect(countDlcs((1n << 40n) | (1n << 63n) | 1n)).toBe(2)
})

/**
 * The per-activity heuristics: lowman rules, speedrun curves and kill minimums of every raid and
 * Pantheon, with the original's numbers (Raid-Hub/Services lib/services/cheat_detection).
 *
 * Version ids are ours (definitions.version_definition: 1 Standard, 2 Guided Games, 3 Prestige,
 * 4 Master, 32 Contest, 64-66 challenges, 128-141 Pantheon bosses). The original keyed its rules
 * with Prestige = 2 and Guided Games = 3, so Eater of Worlds' Prestige rule fired for Guided Games
 * runs and never for Prestige ones; here it is keyed by the real Prestige id.
 *
 * Rule lists are sorted by player count (see `rules`): the original walked them in written order,
 * which made Insurrection Prime Revolutionary's 3-player rule unreachable behind its 4-player one
 * (every trio scored 0.995 instead of the intended 0.35).
 */
import { BAD_DATA_WINDOWS, INCOMPLETE_EXCLUDED_ACTIVITY_IDS, LOWMAN_EXEMPTIONS } from "./bad-data-windows.ts"
import { CheatBit } from "./bits.ts"
import type { ActivityHeuristic, DateWindow, Heuristics, LowmanRule, LowmanRules, SpeedrunCurve } from "./heuristics-types.ts"

export const VersionId = {
  Standard: 1,
  GuidedGames: 2,
  Prestige: 3,
  Master: 4,
  Contest: 32,
  OryxExalted: 129,
  RhulkIndomitable: 130,
  NezarecSublime: 131,
  CalusResplendent: 132,
  MorgethSurpassing: 133,
  InsurrectionPrimeRevolutionary: 134,
} as const

const FAR_FUTURE = "2999-01-01T00:00:00"

function window(start: string, end: string): DateWindow {
  return { name: `${start}..${end}`, start: new Date(`${start}Z`), end: new Date(`${end}Z`) }
}

function rule(minPlayers: number, options: { chance?: number; minTimeSeconds?: number; windows?: DateWindow[] } = {}): LowmanRule {
  return {
    minPlayers,
    cheatChance: options.chance ?? 0,
    minTimeSeconds: options.minTimeSeconds ?? 0,
    allowedWindows: options.windows ?? [],
  }
}

function sortRules(list: readonly LowmanRule[]): LowmanRule[] {
  return [...list].sort((a, b) => a.minPlayers - b.minPlayers)
}

function rules(anyVersion: readonly LowmanRule[], byVersion: Record<number, readonly LowmanRule[]> = {}): LowmanRules {
  return {
    anyVersion: sortRules(anyVersion),
    byVersion: new Map(Object.entries(byVersion).map(([version, list]) => [Number(version), sortRules(list)])),
  }
}

const NO_RULES = rules([])

function curve(a: number, b: number, c: number, d: number): SpeedrunCurve {
  return { a, b, c, d }
}

function activity(
  fields: Omit<ActivityHeuristic, "freshDurationFloor"> & Partial<Pick<ActivityHeuristic, "freshDurationFloor">>,
): ActivityHeuristic {
  return { freshDurationFloor: null, ...fields }
}

const lastWishSoloWindows = [window("2019-11-25T02:00:00", "2020-11-10T17:00:00"), window("2021-09-03T19:00:00", FAR_FUTURE)]

export const ACTIVITY_HEURISTICS: readonly ActivityHeuristic[] = [
  activity({
    activityId: 1,
    raidBit: CheatBit.Leviathan,
    name: "Leviathan",
    checkpointName: "Calus",
    freshLowman: rules([rule(4)]),
    checkpointLowman: rules([rule(2)]),
    speedrunCurve: curve(2028.95, 52.55, 5, 7.96),
    minFreshKills: 300,
    minCheckpointKills: 85,
  }),
  activity({
    activityId: 2,
    raidBit: CheatBit.EaterOfWorlds,
    name: "Eater of Worlds",
    checkpointName: "Argos",
    freshLowman: rules([rule(4)]),
    checkpointLowman: rules([rule(1, { windows: [window("2018-08-29T03:15:00", "2020-11-10T17:00:00")] })], {
      [VersionId.Prestige]: [rule(1, { windows: [window("2018-10-25T18:05:00", "2020-11-10T17:00:00")] })],
    }),
    speedrunCurve: curve(1607.05, 34.0, 1, 6.86),
    minFreshKills: 325,
    minCheckpointKills: 69,
  }),
  activity({
    activityId: 3,
    raidBit: CheatBit.SpireOfStars,
    name: "Spire of Stars",
    checkpointName: "Val Ca'uor",
    freshLowman: rules([rule(5)]),
    checkpointLowman: rules([rule(5)]),
    speedrunCurve: curve(1298.54, 38.42, 5, 7.16),
    minFreshKills: 400,
    // The ciphers cheese completes the checkpoint instantly: no kill minimum.
    minCheckpointKills: 0,
  }),
  activity({
    activityId: 4,
    raidBit: CheatBit.LastWish,
    name: "Last Wish",
    checkpointName: "Queenswalk",
    freshLowman: rules([rule(1, { chance: 0.05, windows: lastWishSoloWindows })]),
    checkpointLowman: rules([rule(1, { minTimeSeconds: 120, windows: lastWishSoloWindows })]),
    speedrunCurve: curve(645.33, 38.31, 1, 3.24),
    minFreshKills: 18,
    minCheckpointKills: 9,
  }),
  activity({
    activityId: 5,
    raidBit: CheatBit.ScourgeOfThePast,
    name: "Scourge of the Past",
    checkpointName: "Insurrection Prime",
    freshLowman: rules([rule(2)]),
    checkpointLowman: rules([rule(2)]),
    speedrunCurve: curve(776.04, 23.69, 1, 8.14),
    minFreshKills: 103,
    minCheckpointKills: 27,
  }),
  activity({
    activityId: 6,
    raidBit: CheatBit.CrownOfSorrow,
    name: "Crown of Sorrow",
    checkpointName: "Gahlran",
    freshLowman: rules([rule(2)]),
    checkpointLowman: rules([rule(2)]),
    speedrunCurve: curve(829.3, 45.43, 1, 2.8),
    minFreshKills: 425,
    minCheckpointKills: 76,
  }),
  activity({
    activityId: 7,
    raidBit: CheatBit.GardenOfSalvation,
    name: "Garden of Salvation",
    checkpointName: "The Sanctified Mind",
    freshLowman: rules([rule(3)]),
    checkpointLowman: rules([
      rule(1, { chance: 0.15, minTimeSeconds: 600, windows: [window("2023-04-30T00:00:00", FAR_FUTURE)] }),
      rule(2, { minTimeSeconds: 300 }),
    ]),
    speedrunCurve: curve(1304.29, 28.15, 5, 9.56),
    minFreshKills: 385,
    minCheckpointKills: 120,
  }),
  activity({
    activityId: 8,
    raidBit: CheatBit.DeepStoneCrypt,
    name: "Deep Stone Crypt",
    checkpointName: "Taniks",
    freshLowman: rules([rule(1, { chance: 0.2, windows: [window("2024-09-12T00:00:00", FAR_FUTURE)] }), rule(2)]),
    checkpointLowman: rules([
      rule(1, {
        chance: 0.1,
        minTimeSeconds: 900,
        windows: [window("2021-03-01T00:00:00", "2021-03-31T00:00:00"), window("2024-09-12T00:00:00", FAR_FUTURE)],
      }),
      rule(2, { minTimeSeconds: 300 }),
    ]),
    speedrunCurve: curve(918.75, 43.74, 1, 2.4),
    minFreshKills: 500,
    minCheckpointKills: 64,
  }),
  activity({
    activityId: 9,
    raidBit: CheatBit.VaultOfGlass,
    name: "Vault of Glass",
    checkpointName: "Atheon",
    freshLowman: rules([rule(1, { chance: 0.2, windows: [window("2024-07-14T00:00:00", FAR_FUTURE)] }), rule(2)], {
      // Solo fresh Master is possible from the first verified clear (2025-10-07) on.
      [VersionId.Master]: [rule(1, { chance: 0.25, windows: [window("2025-10-07T00:00:00", FAR_FUTURE)] }), rule(2, { chance: 0.04 })],
    }),
    checkpointLowman: rules(
      [
        rule(1, {
          chance: 0.15,
          minTimeSeconds: 300,
          windows: [window("2021-07-14T00:00:00", "2021-12-07T00:00:00"), window("2023-10-20T00:00:00", FAR_FUTURE)],
        }),
        rule(2, { minTimeSeconds: 105 }),
      ],
      {
        [VersionId.Master]: [
          rule(1, { chance: 0.2, minTimeSeconds: 120, windows: [window("2024-02-12T00:00:00", FAR_FUTURE)] }),
          rule(2, { minTimeSeconds: 120 }),
        ],
      },
    ),
    speedrunCurve: curve(1310.42, 36.37, 1, 3.45),
    minFreshKills: 1000,
    minCheckpointKills: 40,
  }),
  activity({
    activityId: 10,
    raidBit: CheatBit.VowOfTheDisciple,
    name: "Vow of the Disciple",
    checkpointName: "Rhulk",
    freshLowman: rules([rule(3)]),
    checkpointLowman: rules([rule(3, { minTimeSeconds: 180 })]),
    speedrunCurve: curve(1887.74, 38.67, 5, 8.05),
    minFreshKills: 770,
    minCheckpointKills: 125,
  }),
  activity({
    activityId: 11,
    raidBit: CheatBit.KingsFall,
    name: "King's Fall",
    checkpointName: "Oryx",
    freshLowman: rules([rule(3)]),
    checkpointLowman: rules([rule(2, { chance: 0.05, minTimeSeconds: 300 })]),
    speedrunCurve: curve(1138.9, 39.11, 1, 3.94),
    minFreshKills: 460,
    minCheckpointKills: 105,
  }),
  activity({
    activityId: 12,
    raidBit: CheatBit.RootOfNightmares,
    name: "Root of Nightmares",
    checkpointName: "Nezarec",
    freshLowman: NO_RULES,
    checkpointLowman: NO_RULES,
    speedrunCurve: curve(924.81, 40.46, 1, 4.11),
    minFreshKills: 430,
    minCheckpointKills: 33,
  }),
  activity({
    activityId: 13,
    raidBit: CheatBit.CrotasEnd,
    name: "Crota's End",
    checkpointName: "Crota",
    freshLowman: rules([rule(2)]),
    checkpointLowman: NO_RULES,
    speedrunCurve: curve(1288.97, 38.84, 1, 9.5),
    minFreshKills: 760,
    // Finishers can end the checkpoint almost without kills.
    minCheckpointKills: 1,
  }),
  activity({
    activityId: 14,
    raidBit: CheatBit.SalvationsEdge,
    name: "Salvation's Edge",
    checkpointName: "The Witness",
    freshLowman: rules([
      rule(3, { chance: 0.03, windows: [window("2025-12-01T17:00:00", "2099-12-31T17:00:00")] }),
      rule(4, { chance: 0.04 }),
    ]),
    checkpointLowman: rules(
      [
        rule(1, {
          chance: 0.2,
          minTimeSeconds: 180,
          windows: [window("2024-07-11T09:36:31", "2024-07-23T17:00:00"), window("2025-03-28T14:00:00", "2099-12-31T17:00:00")],
        }),
        rule(2, { chance: 0.1, minTimeSeconds: 180 }),
      ],
      { [VersionId.Master]: [rule(2, { chance: 0.15, minTimeSeconds: 300 })] },
    ),
    speedrunCurve: curve(2102.45, 58.14, 1, 10),
    minFreshKills: 875,
    // The glyph cheese completes the checkpoint with next to no kills.
    minCheckpointKills: 1,
  }),
  activity({
    activityId: 15,
    raidBit: CheatBit.DesertPerpetual,
    name: "The Desert Perpetual",
    checkpointName: "Koregos, The Worldline",
    freshLowman: rules([rule(2, { chance: 0.1 }), rule(3)]),
    checkpointLowman: rules([rule(2, { chance: 0.1 }), rule(3)]),
    // The original's curve is a placeholder returning 0 (which flagged every sub-25 s run as
    // certain): no curve, no TooFast signal.
    speedrunCurve: null,
    minFreshKills: 20,
    minCheckpointKills: 20,
  }),
  activity({
    activityId: 16,
    raidBit: CheatBit.EpicDesertPerpetual,
    name: "The Desert Perpetual (Epic)",
    checkpointName: "Koregos, Fractured In Time",
    freshLowman: rules([
      rule(1, { chance: 0.15, windows: [window("2025-12-15T17:00:00", "2099-12-31T17:00:00")] }),
      rule(2, { chance: 0.1 }),
      rule(3),
    ]),
    checkpointLowman: rules([rule(1, { chance: 0.1 }), rule(2, { chance: 0.05 }), rule(3)]),
    speedrunCurve: null,
    minFreshKills: 40,
    minCheckpointKills: 40,
  }),
  activity({
    activityId: 101,
    raidBit: CheatBit.Pantheon,
    name: "Pantheon: Into the Light",
    checkpointName: "a Pantheon checkpoint",
    freshLowman: rules([], {
      [VersionId.OryxExalted]: [rule(2)],
      [VersionId.RhulkIndomitable]: [rule(3)],
      [VersionId.NezarecSublime]: [rule(3)],
    }),
    checkpointLowman: NO_RULES,
    // A flat 9:30 record for every boss.
    speedrunCurve: curve(570, 0, 1, 1),
    minFreshKills: 335,
    minCheckpointKills: 75,
  }),
  activity({
    activityId: 102,
    raidBit: CheatBit.Pantheon2,
    name: "Pantheon: Monument of Triumph",
    checkpointName: "a Pantheon checkpoint",
    freshLowman: rules([], {
      [VersionId.CalusResplendent]: [rule(2, { chance: 0.15 }), rule(3, { chance: 0.1 })],
      [VersionId.InsurrectionPrimeRevolutionary]: [rule(3, { chance: 0.35 }), rule(4, { chance: 0.15 })],
      [VersionId.MorgethSurpassing]: [rule(4, { chance: 0.65 })],
    }),
    checkpointLowman: rules([], {
      [VersionId.MorgethSurpassing]: [rule(4, { chance: 0.5 })],
      [VersionId.CalusResplendent]: [rule(2, { chance: 0.15 })],
      [VersionId.InsurrectionPrimeRevolutionary]: [rule(2, { chance: 0.15 })],
    }),
    speedrunCurve: null,
    minFreshKills: 0,
    minCheckpointKills: 0,
    // A full run below these is implausible; Battalions and Cutthroat feats add time.
    freshDurationFloor: {
      secondsByVersion: new Map([
        [VersionId.CalusResplendent, 7 * 60],
        [VersionId.InsurrectionPrimeRevolutionary, 15 * 60],
      ]),
      bonusSecondsBySkull: new Map([
        [2392637702, 60],
        [2673088233, 2 * 60],
      ]),
    },
  }),
]

/** For activities missing from the table: no raid bit, no lowman rules, no curve, no kill minimums. */
export const FALLBACK_HEURISTIC: ActivityHeuristic = activity({
  activityId: 0,
  raidBit: 0n,
  name: "Unknown activity",
  checkpointName: "an unknown checkpoint",
  freshLowman: NO_RULES,
  checkpointLowman: NO_RULES,
  speedrunCurve: null,
  minFreshKills: 0,
  minCheckpointKills: 0,
})

/** The heuristics the worker runs with. */
export const DEFAULT_HEURISTICS: Heuristics = {
  activities: new Map(ACTIVITY_HEURISTICS.map((h) => [h.activityId, h])),
  fallback: FALLBACK_HEURISTIC,
  badDataWindows: BAD_DATA_WINDOWS,
  incompleteExcludedActivityIds: INCOMPLETE_EXCLUDED_ACTIVITY_IDS,
  lowmanExemptions: LOWMAN_EXEMPTIONS,
}

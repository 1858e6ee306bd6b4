/**
 * nemesis, step 3: a player's cheat level (core.player.cheat_level, 0-4) from graded flags and the
 * account chance. Leaderboards hide level ≥ 2; level 4 blacklists the player's recent runs
 * (cascade.ts). The job only ever raises a level, and never touches a whitelisted player.
 */
import type { FlagCounts } from "./flag-class.ts"

export type CheatLevel = 0 | 1 | 2 | 3 | 4

/** The level the evidence demands. Counts are cumulative: "B" means A or B flags. */
export function computeMinimumCheatLevel(counts: FlagCounts, accountChance: number): CheatLevel {
  const a = counts.A
  const b = a + counts.B
  const c = b + counts.C
  const d = c + counts.D
  if (
    (a >= 5 && accountChance >= 0.9) ||
    (a >= 10 && accountChance >= 0.7) ||
    (a >= 25 && accountChance >= 0.5) ||
    (a >= 50 && accountChance >= 0.25) ||
    a >= 100
  ) {
    return 4
  }
  if (b >= 30 || a >= 6 || (accountChance >= 0.75 && b >= 10)) return 3
  if (c >= 30 || b >= 10 || a >= 4 || (accountChance >= 0.6 && c >= 15)) return 2
  if (d >= 30 || c >= 5 || b >= 2 || a >= 1) return 1
  return 0
}

export interface LevelInput {
  currentLevel: number
  whitelisted: boolean
  counts: FlagCounts
  accountChance: number
}

export interface LevelDecision {
  level: CheatLevel
  /** True when the level goes up (the only change the job makes). */
  raised: boolean
}

export function decideCheatLevel(input: LevelInput): LevelDecision {
  const current = toLevel(input.currentLevel)
  if (input.whitelisted) return { level: current, raised: false }
  const level = Math.max(current, computeMinimumCheatLevel(input.counts, input.accountChance)) as CheatLevel
  return { level, raised: level > current }
}

/** Out-of-range stored values are clamped (the column has a CHECK, but the function stays total). */
function toLevel(value: number): CheatLevel {
  if (!(value >= 0)) return 0
  return Math.min(4, Math.floor(value)) as CheatLevel
}

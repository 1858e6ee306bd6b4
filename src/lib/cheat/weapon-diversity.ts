/**
 * Weapon diversity: legitimate players spread kills over several weapons; a cheater often racks up
 * kills with one or two. The score is high for diverse loadouts (and when there is too little data
 * to judge); the signal is e^(-0.3·score).
 */
import type { CheatPlayer } from "./types.ts"

/** Scores for runs with too few weapon kills to judge. */
export const UNJUDGED_DIVERSITY_SCORE = 100

export function scoreWeaponDiversity(player: CheatPlayer): number {
  let weapons = 0
  let kills = 0
  for (const character of player.characters) {
    for (const weapon of character.weapons) {
      weapons++
      kills += weapon.kills
    }
  }
  if (kills < 150 || player.timePlayedSeconds <= 0) return UNJUDGED_DIVERSITY_SCORE

  let score: number
  if (weapons <= 3) {
    // Few weapons: judged by how many there are against time played, softened for big kill counts.
    score = ((weapons + 1) * 1200) / player.timePlayedSeconds / (Math.max(kills, 800) / 800)
  } else {
    const mean = kills / weapons
    let squares = 0
    for (const character of player.characters) for (const weapon of character.weapons) squares += (weapon.kills - mean) ** 2
    const deviation = Math.sqrt(squares / (weapons - 1))
    // Weapons more than two deviations from the mean (either way) do not count as diversity.
    let outliers = 0
    for (const character of player.characters) {
      for (const weapon of character.weapons) if (Math.abs(weapon.kills - mean) > 2 * deviation) outliers++
    }
    score = (Math.sqrt(mean / Math.max(deviation, 1)) + (weapons - outliers) ** 1.5) / (Math.max(kills, 600) / 600)
  }
  return player.finished ? score : score ** 2
}

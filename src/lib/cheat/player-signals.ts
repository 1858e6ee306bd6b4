/**
 * A player's own signals: kill rates, grenade kills beyond melee kills, super kills, heavy-ammo
 * share, weapon diversity and kill share against time share. One strong signal alone is often a
 * good player on a good day, so they combine as "at least two of them".
 */
import { CheatBit } from "./bits.ts"
import { Curves, evaluateCurve } from "./curves.ts"
import type { InstanceTotals } from "./instance-signals.ts"
import { divideOr, probabilityAtLeastTwo } from "./probability.ts"
import type { CheatPlayer } from "./types.ts"
import { scoreWeaponDiversity } from "./weapon-diversity.ts"

/** Bits of player-level signals are reported from this probability on (instance bits: 0.05). */
export const PLAYER_BIT_THRESHOLD = 0.02

export interface PlayerSignals {
  probability: number
  bits: bigint
  explanations: string[]
}

export interface PlayerTally {
  kills: number
  grenadeKills: number
  meleeKills: number
  superKills: number
  weaponKills: number
  heavyWeaponKills: number
}

export function tallyPlayer(player: CheatPlayer): PlayerTally {
  const tally: PlayerTally = { kills: 0, grenadeKills: 0, meleeKills: 0, superKills: 0, weaponKills: 0, heavyWeaponKills: 0 }
  for (const character of player.characters) {
    tally.kills += character.kills
    tally.grenadeKills += character.grenadeKills
    tally.meleeKills += character.meleeKills
    tally.superKills += character.superKills
    for (const weapon of character.weapons) {
      tally.weaponKills += weapon.kills
      if (weapon.ammoType === "Heavy") tally.heavyWeaponKills += weapon.kills
    }
  }
  return tally
}

/** Under a minute of play there is nothing to judge. */
export function evaluatePlayerSignals(player: CheatPlayer, tally: PlayerTally, totals: InstanceTotals): PlayerSignals {
  const seconds = player.timePlayedSeconds
  if (!(seconds >= 60)) return { probability: 0, bits: 0n, explanations: [] }
  const perMinute = (count: number) => (60 * count) / seconds
  // Signals grow to full weight over the first five minutes of play.
  const weight = Math.min(300, seconds) / 300

  const signals: [number, bigint, string][] = [
    [evaluateCurve(Curves.killsPerMinute, perMinute(tally.kills)) * weight, CheatBit.PlayerTotalKills, "total kills rate"],
    [
      evaluateCurve(Curves.grenadeMinusMelee, Math.max(perMinute(tally.grenadeKills) - perMinute(tally.meleeKills), 0)) * weight,
      CheatBit.PlayerGrenadeKills,
      "grenade kills rate",
    ],
    [evaluateHeavyAmmo(tally, seconds) * weight, CheatBit.PlayerHeavyAmmoKills, "heavy ammo kills"],
    [evaluateCurve(Curves.superKillsPerMinute, perMinute(tally.superKills)) * weight, CheatBit.PlayerSuperKills, "super kills rate"],
    [Math.exp(-0.3 * scoreWeaponDiversity(player)) * weight * 0.5, CheatBit.PlayerWeaponDiversity, "weapon diversity"],
    [evaluateKillShare(tally.kills, seconds, totals) * weight, CheatBit.PlayerKillsShare, "kills share"],
  ]

  let bits = 0n
  const explanations: string[] = []
  for (const [probability, bit, label] of signals) {
    if (probability > PLAYER_BIT_THRESHOLD) {
      bits |= bit
      explanations.push(`${label}: ${probability.toFixed(4)}`)
    }
  }
  return { probability: probabilityAtLeastTwo(signals.map(([p]) => p)), bits, explanations }
}

/** Heavy-weapon share of weapon kills, sharpened by heavy kills per second and weighted by volume. */
function evaluateHeavyAmmo(tally: PlayerTally, seconds: number): number {
  const volume = Math.min(100, tally.weaponKills) / 100
  const rate = Math.min(1.25, (5 * tally.heavyWeaponKills) / seconds)
  return evaluateCurve(Curves.heavyAmmoShare, (rate * tally.heavyWeaponKills) / (tally.weaponKills + 1)) * volume
}

/**
 * More of the team's kills than time share allows: the largest plausible share grows with the
 * log of the time share (ln(share + 0.05) / ln 30 + 0.99). Needs more than 20 kills to mean anything.
 */
function evaluateKillShare(kills: number, seconds: number, totals: InstanceTotals): number {
  if (totals.kills <= 20) return 0
  const killShare = divideOr(kills, totals.kills, 0)
  const maxExpectedShare = Math.log(divideOr(seconds, totals.timePlayedSeconds, 1) + 0.05) / Math.log(30) + 0.99
  const versusExpected = killShare / maxExpectedShare
  return versusExpected > 1 ? evaluateCurve(Curves.killShare, versusExpected) : 0
}

// Time-dependent facts of a player, shared by the endpoints and the truth so both always say
// the same: whether the account exists yet, when it last played (its newest raid, or a play
// session), per-character last played and minutes, account ownership and ranks, clan.
import type { AccountView } from "./accounts.ts"
import { MEMBERSHIP_TYPE_NAMES, type SimPlayer } from "./players.ts"
import type { SimState } from "./state.ts"

const DAY_MS = 86_400_000

export interface CharacterTruth {
  characterId: string
  classType: number
  className: string
  classHash: number
  raceHash: number
  genderHash: number
  emblemHash: number
  light: number
  dateLastPlayed: string
  minutesPlayedTotal: number
}

export interface PlayerTruth {
  membershipId: string
  membershipType: number
  membershipTypeName: string
  displayName: string
  bungieGlobalDisplayName: string
  bungieGlobalDisplayNameCode: number
  /** "Name#0123" as the public API shows it. */
  bungieName: string
  iconPath: string
  crossSaveOverride: number
  applicableMembershipTypes: number[]
  /** Activity history answers 1665. */
  isPrivate: boolean
  /** Answers 1601 everywhere although it appears in PGCRs. */
  isUnknown: boolean
  /** Account created by now (before that it answers 1601 and plays nothing). */
  exists: boolean
  isRegular: boolean
  accountCreated: string
  lastPlayed: string | null
  groupId: string | null
  characters: CharacterTruth[]
  account: AccountView & { spender: number }
  /** What its activity history lists (mode 4: raids and Pantheon), newest first, over all characters. */
  raidInstanceIds: string[]
}

export function formatIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")
}

export class PlayerFacts {
  constructor(private readonly state: SimState) {}

  exists(player: SimPlayer, nowMs: number): boolean {
    return !player.isUnknown && player.createdMs <= nowMs
  }

  /** Newest of: its latest raid in the sim, its latest play session. */
  lastPlayedMs(player: SimPlayer, nowMs: number): number {
    const raid = this.state.history.lastPlayedMs(player.index, nowMs)
    const session = this.state.accounts.lastSessionMs(player.index, player.createdMs, nowMs)
    return Math.min(nowMs, Math.max(raid ?? 0, session))
  }

  /** The main (slot 0) last played most recently; alts a few days earlier, never before the account. */
  characterLastPlayedMs(player: SimPlayer, slot: number, nowMs: number): number {
    const last = this.lastPlayedMs(player, nowMs)
    if (slot === 0) return last
    const newest = this.state.history.instancesOf(player.index, slot, nowMs)[0]
    const played = newest === undefined ? null : this.state.world.facts(newest, nowMs).endedAt
    const fallback = Math.max(player.createdMs, last - (slot * 3 + (player.index % 5)) * DAY_MS)
    return Math.min(last, Math.max(played ?? 0, fallback))
  }

  minutesPlayed(player: SimPlayer, slot: number, nowMs: number): number {
    return this.state.accounts.minutesPlayed(player.index, slot, player.createdMs, nowMs)
  }

  account(player: SimPlayer, nowMs: number): AccountView {
    return this.state.accounts.view(player.index, player.createdMs, player.spender, nowMs)
  }

  truth(player: SimPlayer, nowMs: number): PlayerTruth {
    const exists = this.exists(player, nowMs)
    const clan = this.state.clans.clanOf(player, nowMs)
    return {
      membershipId: player.membershipId,
      membershipType: player.membershipType,
      membershipTypeName: MEMBERSHIP_TYPE_NAMES[player.membershipType] ?? String(player.membershipType),
      displayName: player.displayName,
      bungieGlobalDisplayName: player.bungieGlobalDisplayName,
      bungieGlobalDisplayNameCode: player.bungieGlobalDisplayNameCode,
      bungieName: `${player.bungieGlobalDisplayName}#${String(player.bungieGlobalDisplayNameCode).padStart(4, "0")}`,
      iconPath: player.iconPath,
      crossSaveOverride: player.crossSaveOverride,
      applicableMembershipTypes: player.applicableMembershipTypes,
      isPrivate: player.isPrivate,
      isUnknown: player.isUnknown,
      exists,
      isRegular: player.isRegular,
      accountCreated: formatIso(player.createdMs),
      lastPlayed: exists ? formatIso(this.lastPlayedMs(player, nowMs)) : null,
      groupId: clan === null ? null : this.state.players.groupIdOf(clan),
      characters: player.characters.map((c) => ({
        characterId: c.characterId,
        classType: c.classType,
        className: c.className,
        classHash: c.classHash,
        raceHash: c.raceHash,
        genderHash: c.genderHash,
        emblemHash: c.emblemHash,
        light: c.light,
        dateLastPlayed: formatIso(this.characterLastPlayedMs(player, c.index, nowMs)),
        minutesPlayedTotal: this.minutesPlayed(player, c.index, nowMs),
      })),
      account: { ...this.account(player, nowMs), spender: player.spender },
      raidInstanceIds: this.state.history.instancesOfPlayer(player.index, nowMs).map(String),
    }
  }
}

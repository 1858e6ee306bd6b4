// Shared account lookup for profile, character, history and group endpoints, including
// Bungie's answer to a wrong membership type: 18 InvalidParameters with the right type's name
// in MessageData, e.g. {"membershipType":"TigerSteam"} (the hint RaidHub's player crawl reads,
// research/raidhub.md §5.2). An account created after `now` does not exist yet (1601).

import type { RequestContext } from "./endpoint-context.ts"
import { type ApiResult, errorResult } from "./envelope.ts"
import { formatIsoSeconds } from "./generate.ts"
import { MEMBERSHIP_TYPE_NAMES, type SimCharacter, type SimPlayer } from "./players.ts"

export type MemberLookup = { ok: true; player: SimPlayer } | { ok: false; result: ApiResult }

export function resolveMember(ctx: RequestContext, typeText: string, idText: string, allowAnyType = false): MemberLookup {
  if (!/^-?\d+$/.test(typeText) || !/^\d+$/.test(idText)) return { ok: false, result: errorResult("ParameterParseFailure") }
  const index = ctx.state.players.indexOfMembership(idText)
  if (index === null) return { ok: false, result: errorResult("DestinyAccountNotFound") }
  const player = ctx.state.players.get(index)
  if (!ctx.state.playerFacts.exists(player, ctx.nowMs)) return { ok: false, result: errorResult("DestinyAccountNotFound") }
  const type = Number(typeText)
  if (!allowAnyType && type !== player.membershipType) {
    return {
      ok: false,
      result: errorResult("InvalidParameters", {
        membershipType: MEMBERSHIP_TYPE_NAMES[player.membershipType] ?? String(player.membershipType),
      }),
    }
  }
  return { ok: true, player }
}

export function userInfoCard(player: SimPlayer): Record<string, unknown> {
  return {
    crossSaveOverride: player.crossSaveOverride,
    applicableMembershipTypes: player.applicableMembershipTypes,
    isPublic: true,
    membershipType: player.membershipType,
    membershipId: player.membershipId,
    displayName: player.displayName,
    bungieGlobalDisplayName: player.bungieGlobalDisplayName,
    bungieGlobalDisplayNameCode: player.bungieGlobalDisplayNameCode,
  }
}

/** Newest of its latest raid in the sim and its latest play session. */
export function lastPlayedIso(ctx: RequestContext, player: SimPlayer): string {
  return formatIsoSeconds(ctx.state.playerFacts.lastPlayedMs(player, ctx.nowMs))
}

export function characterComponent(ctx: RequestContext, player: SimPlayer, c: SimCharacter): Record<string, unknown> {
  const facts = ctx.state.playerFacts
  const minutes = facts.minutesPlayed(player, c.index, ctx.nowMs)
  return {
    membershipId: player.membershipId,
    membershipType: player.membershipType,
    characterId: c.characterId,
    dateLastPlayed: formatIsoSeconds(facts.characterLastPlayedMs(player, c.index, ctx.nowMs)),
    minutesPlayedThisSession: "0",
    minutesPlayedTotal: String(minutes),
    light: c.light,
    stats: { "1935470627": c.light },
    raceHash: c.raceHash,
    genderHash: c.genderHash,
    classHash: c.classHash,
    raceType: c.raceType,
    classType: c.classType,
    genderType: c.genderType,
    emblemPath: `/common/destiny2_content/icons/emblem_${c.emblemHash}.jpg`,
    emblemBackgroundPath: `/common/destiny2_content/icons/emblem_bg_${c.emblemHash}.jpg`,
    emblemHash: c.emblemHash,
    emblemColor: { red: 20, green: 20, blue: 20, alpha: 255 },
    levelProgression: {
      progressionHash: 1716568313,
      dailyProgress: 0,
      dailyLimit: 0,
      weeklyProgress: 0,
      weeklyLimit: 0,
      currentProgress: 0,
      level: 50,
      levelCap: 50,
      stepIndex: 50,
      progressToNextLevel: 0,
      nextLevelAt: 0,
    },
    baseCharacterLevel: 50,
    percentToNextLevel: 0,
  }
}

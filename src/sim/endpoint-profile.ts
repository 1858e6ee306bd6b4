// Profile (components 100, 200), Character (200) and LinkedProfiles.

import type { RequestContext } from "./endpoint-context.ts"
import { characterComponent, lastPlayedIso, resolveMember, userInfoCard } from "./endpoint-members.ts"
import { type ApiResult, errorResult, okJson } from "./envelope.ts"
import { formatIsoSeconds } from "./generate.ts"

function requestedComponents(ctx: RequestContext): Set<string> {
  const raw = ctx.url.searchParams.get("components") ?? ""
  const names: Record<string, string> = { profiles: "100", characters: "200" }
  return new Set(
    raw
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean)
      .map((c) => names[c.toLowerCase()] ?? c),
  )
}

/** GET /Platform/Destiny2/{type}/Profile/{id}/?components=100,200 */
export function handleProfile(ctx: RequestContext): ApiResult {
  const found = resolveMember(ctx, ctx.params[0]!, ctx.params[1]!)
  if (!found.ok) return found.result
  const player = found.player
  const components = requestedComponents(ctx)
  const minted = formatIsoSeconds(ctx.nowMs)
  const response: Record<string, unknown> = { responseMintedTimestamp: minted, secondaryComponentsMintedTimestamp: minted }
  if (components.has("100")) {
    // What account-level cheat detection reads: ownership, ranks and characters vary per account.
    const account = ctx.state.playerFacts.account(player, ctx.nowMs)
    response.profile = {
      data: {
        userInfo: userInfoCard(player),
        dateLastPlayed: lastPlayedIso(ctx, player),
        versionsOwned: account.versionsOwned,
        characterIds: player.characters.map((c) => c.characterId),
        seasonHashes: account.seasonHashes,
        eventCardHashesOwned: [],
        currentSeasonHash: account.currentSeasonHash,
        currentSeasonRewardPowerCap: 2010,
        currentGuardianRank: account.currentGuardianRank,
        lifetimeHighestGuardianRank: account.lifetimeHighestGuardianRank,
        renewedGuardianRank: account.renewedGuardianRank,
      },
      privacy: 1,
    }
  }
  if (components.has("200")) {
    const data: Record<string, unknown> = {}
    for (const c of player.characters) data[c.characterId] = characterComponent(ctx, player, c)
    response.characters = { data, privacy: 1 }
  }
  return okJson(response)
}

/** GET /Platform/Destiny2/{type}/Profile/{id}/Character/{cid}/?components=200 */
export function handleCharacter(ctx: RequestContext): ApiResult {
  const found = resolveMember(ctx, ctx.params[0]!, ctx.params[1]!)
  if (!found.ok) return found.result
  const character = found.player.characters.find((c) => c.characterId === ctx.params[2])
  if (!character) return errorResult("DestinyCharacterNotFound")
  const response: Record<string, unknown> = {}
  if (requestedComponents(ctx).has("200")) response.character = { data: characterComponent(ctx, found.player, character), privacy: 1 }
  return okJson(response)
}

/** GET /Platform/Destiny2/{type}/Profile/{id}/LinkedProfiles/ — any type (or -1) resolves. */
export function handleLinkedProfiles(ctx: RequestContext): ApiResult {
  const found = resolveMember(ctx, ctx.params[0]!, ctx.params[1]!, true)
  if (!found.ok) return found.result
  const p = found.player
  const card = userInfoCard(p)
  return okJson({
    profiles: [
      {
        dateLastPlayed: lastPlayedIso(ctx, p),
        isOverridden: false,
        isCrossSavePrimary: p.crossSaveOverride !== 0,
        ...card,
      },
    ],
    bnetMembership: {
      supplementalDisplayName: `${p.bungieGlobalDisplayName}#${String(p.bungieGlobalDisplayNameCode).padStart(4, "0")}`,
      iconPath: p.iconPath,
      crossSaveOverride: 0,
      isPublic: false,
      membershipType: 254,
      membershipId: String(30_000_000 + p.index),
      displayName: p.bungieGlobalDisplayName,
      bungieGlobalDisplayName: p.bungieGlobalDisplayName,
      bungieGlobalDisplayNameCode: p.bungieGlobalDisplayNameCode,
    },
    profilesWithErrors: [],
  })
}

// GET /Platform/User/GetMembershipsById/{membershipId}/{membershipType}/ — the linked accounts
// and the Bungie.net user. `bungieNetUser.firstAccess` is where Bungie exposes an account's age
// (neither the profile nor its characters carry a creation date).

import type { RequestContext } from "./endpoint-context.ts"
import { userInfoCard } from "./endpoint-members.ts"
import { type ApiResult, errorResult, okJson } from "./envelope.ts"
import { formatIsoSeconds } from "./generate.ts"

const BNET_BASE = 30_000_000

export function handleMembershipsById(ctx: RequestContext): ApiResult {
  const [idText, typeText] = [ctx.params[0]!, ctx.params[1]!]
  if (!/^\d+$/.test(idText) || !/^-?\d+$/.test(typeText)) return errorResult("ParameterParseFailure")
  const type = Number(typeText)
  const pool = ctx.state.players
  // 254 (BungieNext) takes the Bungie.net id; anything else a Destiny membership id.
  const index = type === 254 ? Number(idText) - BNET_BASE : pool.indexOfMembership(idText)
  if (index === null || !Number.isSafeInteger(index) || index < 0 || index >= pool.size) return errorResult("DestinyAccountNotFound")
  const player = pool.get(index)
  if (!ctx.state.playerFacts.exists(player, ctx.nowMs)) return errorResult("DestinyAccountNotFound")
  const card = {
    LastSeenDisplayName: player.displayName,
    LastSeenDisplayNameType: player.membershipType,
    iconPath: player.iconPath,
    ...userInfoCard(player),
  }
  const name = player.bungieGlobalDisplayName
  const code = String(player.bungieGlobalDisplayNameCode).padStart(4, "0")
  return okJson({
    destinyMemberships: [card],
    ...(player.crossSaveOverride !== 0 ? { primaryMembershipId: player.membershipId } : {}),
    bungieNetUser: {
      membershipId: String(BNET_BASE + player.index),
      uniqueName: `${name}#${code}`,
      normalizedName: `${name}#${code}`.toLowerCase(),
      displayName: name,
      profilePicture: 70000 + (player.index % 40),
      profileTheme: 1000 + (player.index % 60),
      userTitle: 0,
      successMessageFlags: "0",
      isDeleted: false,
      about: "",
      firstAccess: formatIsoSeconds(player.createdMs),
      lastUpdate: formatIsoSeconds(ctx.state.playerFacts.lastPlayedMs(player, ctx.nowMs)),
      context: { isFollowing: false, ignoreStatus: { isIgnored: false, ignoreFlags: 0 } },
      psnDisplayName: player.membershipType === 2 ? player.displayName : "",
      xboxDisplayName: player.membershipType === 1 ? player.displayName : "",
      fbDisplayName: "",
      showActivity: true,
      locale: "en",
      localeInheritDefault: true,
      showGroupMessaging: true,
      profilePicturePath: player.iconPath,
      profilePictureWidePath: "",
      profileThemeName: "d2_01",
      userTitleDisplay: "Newbie",
      statusText: "",
      statusDate: "0001-01-01T00:00:00Z",
      blizzardDisplayName: "",
      steamDisplayName: player.membershipType === 3 ? player.displayName : "",
      stadiaDisplayName: "",
      twitchDisplayName: "",
      cachedBungieGlobalDisplayName: name,
      cachedBungieGlobalDisplayNameCode: player.bungieGlobalDisplayNameCode,
      egsDisplayName: player.membershipType === 6 ? player.displayName : "",
    },
  })
}

// GroupV2: GroupsForMember, group details, members (50 per page, Bungie's fixed page size).
// A deleted clan answers 686 GroupNotFound and no longer shows for its former members.

import type { RequestContext } from "./endpoint-context.ts"
import { resolveMember, userInfoCard } from "./endpoint-members.ts"
import { type ApiResult, errorResult, okJson } from "./envelope.ts"
import { formatIsoSeconds } from "./generate.ts"
import type { SimPlayer } from "./players.ts"
import { hashWords } from "./random.ts"
import type { SimState } from "./state.ts"

const MEMBERS_PER_PAGE = 50
const CLAN_WORDS = [
  "Iron",
  "Vanguard",
  "Eclipse",
  "Hollow",
  "Crimson",
  "Wayfinders",
  "Lantern",
  "Ember",
  "Tidewatch",
  "Nightfall",
  "Moth",
  "Citadel",
]

const CLAN_EPOCH_MS = Date.parse("2019-01-01T00:00:00Z")

export interface ClanIdentity {
  name: string
  motto: string
  callSign: string
  creationMs: number
}

/** Name, motto, call sign and creation date of a clan (pure in seed and clan index). */
export function clanIdentity(seed: number, groupIndex: number): ClanIdentity {
  const h = hashWords(seed, groupIndex, 5, 6)
  const name = `${CLAN_WORDS[h % CLAN_WORDS.length]} ${CLAN_WORDS[(h >>> 8) % CLAN_WORDS.length]} ${groupIndex}`
  const callSign = name
    .split(" ")
    .map((w) => w[0])
    .join("")
    .toUpperCase()
  return { name, motto: MOTTOS[(h >>> 4) % MOTTOS.length]!, callSign, creationMs: CLAN_EPOCH_MS + (h % 1_000) * 86_400_000 }
}

const MOTTOS = ["Eyes up", "No Guardian left behind", "Raid or die", "Lowman enjoyers", "Checkpoints are for the weak", "Dad joke fireteam"]

function groupDetail(state: SimState, groupIndex: number, nowMs: number): Record<string, unknown> {
  const h = hashWords(state.config.seed, groupIndex, 5, 6)
  const id = clanIdentity(state.config.seed, groupIndex)
  const name = id.name
  const members = state.clans.roster(groupIndex, nowMs)
  const founder = members[0]
  return {
    groupId: state.players.groupIdOf(groupIndex),
    name,
    groupType: 1,
    membershipIdCreated: founder === undefined ? "0" : String(30_000_000 + founder),
    creationDate: formatIsoSeconds(id.creationMs),
    modificationDate: formatIsoSeconds(state.anchorMs - (h % 100) * 86_400_000),
    about: `Clan ${name}`,
    tags: [],
    memberCount: members.length,
    isPublic: true,
    isPublicTopicAdminOnly: false,
    motto: id.motto,
    allowChat: true,
    isDefaultPostPublic: false,
    chatSecurity: 0,
    locale: "en",
    avatarImageIndex: 0,
    homepage: 0,
    membershipOption: 0,
    defaultPublicity: 2,
    theme: "Group_Community1",
    bannerPath: "/img/Themes/Group_Community1/struct_images/group_top_banner.jpg",
    avatarPath: "/img/profile/avatars/group/defaultGroup.png",
    conversationId: String(1_000_000 + groupIndex),
    enableInvitationMessagingForAdmins: false,
    banExpireDate: "2001-01-01T00:00:00Z",
    features: {
      maximumMembers: 100,
      maximumMembershipsOfGroupType: 1,
      capabilities: 31,
      membershipTypes: [1, 2, 3, 6],
      invitePermissionOverride: false,
      updateCulturePermissionOverride: false,
      hostGuidedGamePermissionOverride: 1,
      updateBannerPermissionOverride: false,
      joinLevel: 1,
    },
    clanInfo: {
      d2ClanProgressions: {},
      clanCallsign: id.callSign,
      clanBannerData: {
        decalId: h % 50,
        decalColorId: (h >>> 4) % 30,
        decalBackgroundColorId: (h >>> 8) % 30,
        gonfalonId: (h >>> 12) % 10,
        gonfalonColorId: (h >>> 16) % 30,
        gonfalonDetailId: (h >>> 20) % 40,
        gonfalonDetailColorId: (h >>> 24) % 30,
      },
    },
  }
}

function groupMember(state: SimState, player: SimPlayer, groupIndex: number, founder: boolean, nowMs: number): Record<string, unknown> {
  const clanCreated = clanIdentity(state.config.seed, groupIndex).creationMs
  const joined = Math.max(clanCreated, player.createdMs) + (player.index % 200) * 86_400_000
  return {
    memberType: founder ? 5 : 2,
    isOnline: false,
    lastOnlineStatusChange: String(Math.floor(state.playerFacts.lastPlayedMs(player, nowMs) / 1000)),
    groupId: state.players.groupIdOf(groupIndex),
    destinyUserInfo: {
      LastSeenDisplayName: player.displayName,
      LastSeenDisplayNameType: player.membershipType,
      iconPath: player.iconPath,
      ...userInfoCard(player),
    },
    joinDate: formatIsoSeconds(Math.min(nowMs, joined)),
  }
}

/** GET /Platform/GroupV2/User/{type}/{id}/{filter}/{groupType}/ */
export function handleGroupsForMember(ctx: RequestContext): ApiResult {
  const found = resolveMember(ctx, ctx.params[0]!, ctx.params[1]!)
  if (!found.ok) return found.result
  const state = ctx.state
  const g = state.clans.clanOf(found.player, ctx.nowMs)
  const results =
    g === null
      ? []
      : [
          {
            member: groupMember(state, found.player, g, state.clans.roster(g, ctx.nowMs)[0] === found.player.index, ctx.nowMs),
            group: groupDetail(state, g, ctx.nowMs),
          },
        ]
  return okJson({
    results,
    totalResults: results.length,
    hasMore: false,
    query: { itemsPerPage: 0, currentPage: 1 },
    useTotalResults: true,
    areAllMembershipsInactive: g === null ? {} : { [state.players.groupIdOf(g)]: false },
  })
}

/** GET /Platform/GroupV2/{groupId}/ */
export function handleGroup(ctx: RequestContext): ApiResult {
  const g = ctx.state.clans.indexOf(ctx.params[0]!)
  if (g === null || ctx.state.clans.isDeleted(g)) return errorResult("GroupNotFound")
  const members = ctx.state.clans.roster(g, ctx.nowMs)
  const founder = members[0]
  return okJson({
    detail: groupDetail(ctx.state, g, ctx.nowMs),
    founder: founder === undefined ? null : groupMember(ctx.state, ctx.state.players.get(founder), g, true, ctx.nowMs),
    alliedIds: [],
    allianceStatus: 0,
    groupJoinInviteCount: 0,
    currentUserMembershipsInactiveForDestiny: false,
    currentUserMemberMap: {},
    currentUserPotentialMemberMap: {},
  })
}

/** GET /Platform/GroupV2/{groupId}/Members/?currentpage=N (1-based, 50 per page) */
export function handleGroupMembers(ctx: RequestContext): ApiResult {
  const g = ctx.state.clans.indexOf(ctx.params[0]!)
  if (g === null || ctx.state.clans.isDeleted(g)) return errorResult("GroupNotFound")
  const page = Math.max(1, Number(ctx.url.searchParams.get("currentpage") ?? ctx.url.searchParams.get("currentPage") ?? 1) || 1)
  const members = ctx.state.clans.roster(g, ctx.nowMs)
  const slice = members.slice((page - 1) * MEMBERS_PER_PAGE, page * MEMBERS_PER_PAGE)
  return okJson({
    results: slice.map((k, i) => groupMember(ctx.state, ctx.state.players.get(k), g, page === 1 && i === 0, ctx.nowMs)),
    totalResults: members.length,
    hasMore: page * MEMBERS_PER_PAGE < members.length,
    query: { itemsPerPage: MEMBERS_PER_PAGE, currentPage: page },
    useTotalResults: true,
  })
}

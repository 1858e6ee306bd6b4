// GET /Platform/Settings/ — availability of each system (Destiny2 off during maintenance).
import { type ApiResult, okJson } from "../envelope.ts"
import type { RequestContext } from "./context.ts"

const DESTINY_SYSTEMS = ["Destiny2", "D2Profiles", "Activities", "D2Characters", "D2Vendors", "D2Items"]
const OTHER_SYSTEMS = ["Groups", "Clans", "Forums", "BungieNext"]

export function handleSettings(ctx: RequestContext): ApiResult {
  const systems: Record<string, { enabled: boolean; parameters: Record<string, string> }> = {}
  for (const name of DESTINY_SYSTEMS) systems[name] = { enabled: !ctx.maintenance, parameters: {} }
  for (const name of OTHER_SYSTEMS) systems[name] = { enabled: true, parameters: {} }
  return okJson({
    environment: "live",
    systems,
    ignoreReasons: [],
    forumCategories: [],
    groupAvatars: {},
    destinyMembershipTypes: [],
    userContentLocales: [],
    systemContentLocales: [],
    clanBannerDecals: [],
    clanBannerDecalColors: [],
    clanBannerGonfalons: [],
    clanBannerGonfalonColors: [],
    clanBannerGonfalonDetails: [],
    clanBannerGonfalonDetailColors: [],
    clanBannerStandards: [],
    destiny2CoreSettings: {},
    emailSettings: {},
    fireteamActivities: [],
  })
}

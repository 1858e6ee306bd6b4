// GET /Platform/Settings/ — availability of each system: the `systems` control, and every
// Destiny system off during maintenance.

import type { RequestContext } from "./endpoint-context.ts"
import { type ApiResult, okJson } from "./envelope.ts"
import { SYSTEM_NAMES } from "./options.ts"

export function handleSettings(ctx: RequestContext): ApiResult {
  const systems: Record<string, { enabled: boolean; parameters: Record<string, string> }> = {}
  for (const name of SYSTEM_NAMES) systems[name] = { enabled: ctx.state.systemEnabled(name, ctx.nowMs), parameters: {} }
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

// Route table for the Bungie endpoints the simulator plays (paths are case-insensitive,
// trailing slash optional, query strings ignored unless a handler reads them).
import type { Handler } from "./endpoint-context.ts"
import { handleGroup, handleGroupMembers, handleGroupsForMember } from "./endpoint-groups.ts"
import { handleActivityHistory } from "./endpoint-history.ts"
import { handleManifest } from "./endpoint-manifest.ts"
import { handlePgcr } from "./endpoint-pgcr.ts"
import { handleCharacter, handleLinkedProfiles, handleProfile } from "./endpoint-profile.ts"
import { handleSettings } from "./endpoint-settings.ts"
import { handleMembershipsById } from "./endpoint-user.ts"

export interface Route {
  name: string
  pattern: RegExp
  handler: Handler
  /** Bungie systems the endpoint needs (research/raidhub.md §2.6); any disabled → 5 SystemDisabled. */
  systems: readonly string[]
}

const seg = "([^/]+)"
const PGCR = ["Destiny2"]
const PROFILES = ["Destiny2", "D2Profiles"]
const CHARACTERS = ["Destiny2", "D2Profiles", "D2Characters"]
const ACTIVITIES = ["Destiny2", "Activities"]
const CLANS = ["Groups", "Clans"]

export const ROUTES: Route[] = [
  {
    name: "pgcr",
    pattern: new RegExp(`^/Platform/Destiny2/Stats/PostGameCarnageReport/${seg}/?$`, "i"),
    handler: handlePgcr,
    systems: PGCR,
  },
  { name: "settings", pattern: /^\/Platform\/Settings\/?$/i, handler: handleSettings, systems: [] },
  { name: "manifest", pattern: /^\/Platform\/Destiny2\/Manifest\/?$/i, handler: handleManifest, systems: PGCR },
  {
    name: "membershipsById",
    pattern: new RegExp(`^/Platform/User/GetMembershipsById/${seg}/${seg}/?$`, "i"),
    handler: handleMembershipsById,
    systems: [],
  },
  {
    name: "linkedProfiles",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Profile/${seg}/LinkedProfiles/?$`, "i"),
    handler: handleLinkedProfiles,
    systems: PROFILES,
  },
  {
    name: "character",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Profile/${seg}/Character/${seg}/?$`, "i"),
    handler: handleCharacter,
    systems: CHARACTERS,
  },
  {
    name: "profile",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Profile/${seg}/?$`, "i"),
    handler: handleProfile,
    systems: PROFILES,
  },
  {
    name: "activityHistory",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Account/${seg}/Character/${seg}/Stats/Activities/?$`, "i"),
    handler: handleActivityHistory,
    systems: ACTIVITIES,
  },
  {
    name: "groupsForMember",
    pattern: new RegExp(`^/Platform/GroupV2/User/${seg}/${seg}/${seg}/${seg}/?$`, "i"),
    handler: handleGroupsForMember,
    systems: CLANS,
  },
  {
    name: "groupMembers",
    pattern: new RegExp(`^/Platform/GroupV2/${seg}/Members/?$`, "i"),
    handler: handleGroupMembers,
    systems: CLANS,
  },
  { name: "group", pattern: new RegExp(`^/Platform/GroupV2/${seg}/?$`, "i"), handler: handleGroup, systems: CLANS },
]

export function matchRoute(path: string): { route: Route; params: string[] } | null {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path)
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) }
  }
  return null
}

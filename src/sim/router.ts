// Route table for the Bungie endpoints the simulator plays (paths are case-insensitive,
// trailing slash optional, query strings ignored unless a handler reads them).
import type { Handler } from "./endpoints/context.ts"
import { handleGroup, handleGroupMembers, handleGroupsForMember } from "./endpoints/groups.ts"
import { handleActivityHistory } from "./endpoints/history.ts"
import { handleManifest } from "./endpoints/manifest.ts"
import { handlePgcr } from "./endpoints/pgcr.ts"
import { handleCharacter, handleLinkedProfiles, handleProfile } from "./endpoints/profile.ts"
import { handleSettings } from "./endpoints/settings.ts"

export interface Route {
  name: string
  pattern: RegExp
  handler: Handler
  /** Served while Destiny2 is in maintenance (SystemDisabled otherwise). */
  duringMaintenance: boolean
}

const seg = "([^/]+)"

export const ROUTES: Route[] = [
  {
    name: "pgcr",
    pattern: new RegExp(`^/Platform/Destiny2/Stats/PostGameCarnageReport/${seg}/?$`, "i"),
    handler: handlePgcr,
    duringMaintenance: false,
  },
  { name: "settings", pattern: /^\/Platform\/Settings\/?$/i, handler: handleSettings, duringMaintenance: true },
  { name: "manifest", pattern: /^\/Platform\/Destiny2\/Manifest\/?$/i, handler: handleManifest, duringMaintenance: false },
  {
    name: "linkedProfiles",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Profile/${seg}/LinkedProfiles/?$`, "i"),
    handler: handleLinkedProfiles,
    duringMaintenance: false,
  },
  {
    name: "character",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Profile/${seg}/Character/${seg}/?$`, "i"),
    handler: handleCharacter,
    duringMaintenance: false,
  },
  {
    name: "profile",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Profile/${seg}/?$`, "i"),
    handler: handleProfile,
    duringMaintenance: false,
  },
  {
    name: "activityHistory",
    pattern: new RegExp(`^/Platform/Destiny2/${seg}/Account/${seg}/Character/${seg}/Stats/Activities/?$`, "i"),
    handler: handleActivityHistory,
    duringMaintenance: false,
  },
  {
    name: "groupsForMember",
    pattern: new RegExp(`^/Platform/GroupV2/User/${seg}/${seg}/${seg}/${seg}/?$`, "i"),
    handler: handleGroupsForMember,
    duringMaintenance: false,
  },
  {
    name: "groupMembers",
    pattern: new RegExp(`^/Platform/GroupV2/${seg}/Members/?$`, "i"),
    handler: handleGroupMembers,
    duringMaintenance: false,
  },
  { name: "group", pattern: new RegExp(`^/Platform/GroupV2/${seg}/?$`, "i"), handler: handleGroup, duringMaintenance: false },
]

export function matchRoute(path: string): { route: Route; params: string[] } | null {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path)
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) }
  }
  return null
}

/**
 * Where a request goes. Zeus serves Bungie's own paths: PostGameCarnageReport paths go to the
 * stats host (BUNGIE_BASE_URL), every other `/Platform/...` path and the manifest content under
 * `/common/...` to www (BUNGIE_WWW_BASE_URL). Anything else is not Bungie's and is not forwarded.
 */

export type EndpointType = "stats" | "www"

export interface Route {
  endpointType: EndpointType
  /** Absolute upstream URL, query string included. */
  url: string
  /** `/Platform/Settings/`: how everyone learns Bungie is back, served outside the queue (settings-cache.ts). */
  isSettings: boolean
}

export interface UpstreamBases {
  /** Stats host root, e.g. https://stats.bungie.net (a trailing /Platform is tolerated). */
  stats: string
  www: string
}

const PGCR_PATH = /\/Destiny2\/Stats\/PostGameCarnageReport\//i
const SETTINGS_PATH = /^\/Platform\/Settings\/?$/i

/** Route for `pathAndQuery` (as received, starting with `/`), or null when it is not a Bungie path. */
export function routeRequest(pathAndQuery: string, bases: UpstreamBases): Route | null {
  const queryAt = pathAndQuery.indexOf("?")
  const path = queryAt === -1 ? pathAndQuery : pathAndQuery.slice(0, queryAt)
  const lower = path.toLowerCase()
  if (!lower.startsWith("/platform/") && !lower.startsWith("/common/")) return null
  // No way out of the host's root: a dot-segment or an encoded slash could reach paths we do not mean to serve.
  if (/(^|\/)\.\.?(\/|$)|%2f|%5c|\\/i.test(path)) return null
  const endpointType: EndpointType = PGCR_PATH.test(path) ? "stats" : "www"
  return {
    endpointType,
    url: `${hostRoot(endpointType === "stats" ? bases.stats : bases.www)}${pathAndQuery}`,
    isSettings: SETTINGS_PATH.test(path),
  }
}

/** `https://host/` or `https://host/Platform` → `https://host` (incoming paths carry /Platform). */
export function hostRoot(base: string): string {
  return base.replace(/\/+$/, "").replace(/\/Platform$/i, "")
}

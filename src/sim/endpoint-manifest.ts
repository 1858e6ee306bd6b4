// GET /Platform/Destiny2/Manifest/ and the content files it points at.

import type { RequestContext } from "./endpoint-context.ts"
import { type ApiResult, okJson } from "./envelope.ts"
import { buildManifest, type ManifestFiles } from "./manifest-db.ts"
import type { SimState } from "./state.ts"

const built = new WeakMap<SimState, ManifestFiles>()

export function manifestFor(state: SimState): ManifestFiles {
  let files = built.get(state)
  if (!files) {
    files = buildManifest(state.fixtures, state.config.seed)
    built.set(state, files)
  }
  return files
}

export function handleManifest(ctx: RequestContext): ApiResult {
  const m = manifestFor(ctx.state)
  const sqlitePath = `/common/destiny2_content/sqlite/en/${m.sqliteName}`
  const jsonPath = (name: string) => `/common/destiny2_content/json/en/${name}-${m.version}.json`
  return okJson({
    version: m.version,
    mobileAssetContentPath: "",
    mobileGearAssetDataBases: [],
    mobileWorldContentPaths: { en: sqlitePath },
    jsonWorldContentPaths: { en: jsonPath("aggregate") },
    jsonWorldComponentContentPaths: {
      en: {
        DestinyActivityDefinition: jsonPath("DestinyActivityDefinition"),
        DestinyInventoryItemDefinition: jsonPath("DestinyInventoryItemDefinition"),
      },
    },
    mobileClanBannerDatabasePath: "",
    mobileGearCDN: {},
    iconImagePyramidInfo: [],
  })
}

/** Serves /common/destiny2_content/... files; null when the path is not one of ours. */
export function serveManifestContent(state: SimState, path: string): ApiResult | null {
  const m = manifestFor(state)
  if (path === `/common/destiny2_content/sqlite/en/${m.sqliteName}`) {
    return { kind: "raw", httpStatus: 200, body: m.zip, contentType: "application/octet-stream", label: "manifest-sqlite" }
  }
  const json = (body: string): ApiResult => ({
    kind: "raw",
    httpStatus: 200,
    body,
    contentType: "application/json",
    label: "manifest-json",
  })
  if (path === `/common/destiny2_content/json/en/DestinyActivityDefinition-${m.version}.json`) return json(m.activityJson)
  if (path === `/common/destiny2_content/json/en/DestinyInventoryItemDefinition-${m.version}.json`) return json(m.itemJson)
  if (path === `/common/destiny2_content/json/en/aggregate-${m.version}.json`) {
    return json(`{"DestinyActivityDefinition":${m.activityJson},"DestinyInventoryItemDefinition":${m.itemJson}}`)
  }
  return null
}

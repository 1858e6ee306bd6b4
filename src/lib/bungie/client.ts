/**
 * The Bungie client: typed endpoints over transport → envelope → classification → retry.
 * PGCRs go to the stats host (`baseUrl`), everything else to www (`wwwBaseUrl`).
 * It never logs: results are values, callers log and count (hook `onAttempt` for metrics).
 */
import type { CoreSettingsConfiguration } from "bungie-api-ts/core"
import type {
  DestinyActivityHistoryResults,
  DestinyCharacterResponse,
  DestinyLinkedProfilesResponse,
  DestinyManifest,
  DestinyProfileResponse,
} from "bungie-api-ts/destiny2"
import type { GetGroupsForMemberResponse, GroupResponse, SearchResultOfGroupMember } from "bungie-api-ts/groupv2"
import packageJson from "../../../package.json" with { type: "json" }
import { classifyNetworkError, classifyResponse } from "./classify.ts"
import { decodeBody, type JsonDecoder } from "./envelope.ts"
import { decodeJson } from "./json.ts"
import { type DecodedPgcr, type RawPgcr, stringifyPgcrIds } from "./pgcr-body.ts"
import { decodePgcrJson } from "./pgcr-decode.ts"
import type { BungieResult } from "./result.ts"
import { type AttemptContext, type AttemptReport, applyCacheBust, DEFAULT_RETRY_POLICY, type RetryPolicy, runWithRetry } from "./retry.ts"
import { createTransport, type Transport } from "./transport.ts"

export interface BungieClientOptions {
  /** Stats host origin for PGCRs, e.g. https://stats.bungie.net ("/Platform" is appended if missing). */
  baseUrl: string
  /** www host origin for every other endpoint, e.g. https://www.bungie.net. */
  wwwBaseUrl: string
  apiKey: string
  /** Local address to send from (uses the node:http engine; see transport.ts). */
  sourceAddress?: string
  timeoutMs: number
  /** HTTP requests per logical call, retries included. */
  maxAttempts: number
  /** Backoff tuning; maxAttempts above wins over retry.maxAttempts. */
  retry?: Partial<Omit<RetryPolicy, "maxAttempts">>
  /** Goes into the User-Agent: `RaidHub-Services/<version> (+<contact>)`. */
  contact?: string
  /** Awaited before every HTTP request (the shared limiter's token acquire). */
  beforeAttempt?: (context: BungieAttemptContext) => Promise<void>
  /** Called after every HTTP request (metrics). */
  onAttempt?: (report: BungieAttemptReport) => void
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  /** Injected transport (tests, sharing one pool); the client then does not own it. */
  transport?: Transport
}

export type BungieEndpoint =
  | "pgcr"
  | "settings"
  | "manifest"
  | "profile"
  | "character"
  | "activityHistory"
  | "groupsForMember"
  | "group"
  | "membersOfGroup"
  | "linkedProfiles"

export type BungieAttemptContext = AttemptContext & { endpoint: BungieEndpoint; host: "stats" | "www" }
export type BungieAttemptReport = AttemptReport & { endpoint: BungieEndpoint; host: "stats" | "www" }

export interface ActivityHistoryQuery {
  /** DestinyActivityModeType, e.g. 4 = Raid; omitted = all. */
  mode?: number
  /** 1..250. */
  count?: number
  /** 0-based page. */
  page?: number
}

export interface GetPgcrOptions {
  /**
   * Caller-level re-fetch number after processing found the PGCR malformed (e.g. fewer entries than
   * players): sent as `malformed_retry=N` from the first request, so the CDN cannot replay the body.
   */
  malformedRetry?: number
}

export interface BungieClient {
  getPgcr(instanceId: bigint, options?: GetPgcrOptions): Promise<BungieResult<RawPgcr>>
  getSettings(): Promise<BungieResult<CoreSettingsConfiguration>>
  getManifest(): Promise<BungieResult<DestinyManifest>>
  getProfile(membershipType: number, membershipId: bigint, components: readonly number[]): Promise<BungieResult<DestinyProfileResponse>>
  getCharacter(
    membershipType: number,
    membershipId: bigint,
    characterId: bigint,
    components: readonly number[],
  ): Promise<BungieResult<DestinyCharacterResponse>>
  getActivityHistory(
    membershipType: number,
    membershipId: bigint,
    characterId: bigint,
    query?: ActivityHistoryQuery,
  ): Promise<BungieResult<DestinyActivityHistoryResults>>
  /** filter: GroupsForMemberFilter (0 = all); groupType: GroupType (1 = clan). */
  getGroupsForMember(
    membershipType: number,
    membershipId: bigint,
    filter?: number,
    groupType?: number,
  ): Promise<BungieResult<GetGroupsForMemberResponse>>
  getGroup(groupId: bigint): Promise<BungieResult<GroupResponse>>
  /** page is 1-based, as Bungie's `currentpage`. */
  getMembersOfGroup(groupId: bigint, page?: number): Promise<BungieResult<SearchResultOfGroupMember>>
  getLinkedProfiles(
    membershipType: number,
    membershipId: bigint,
    getAllMemberships?: boolean,
  ): Promise<BungieResult<DestinyLinkedProfilesResponse>>
  /** Closes the client's own transport (not an injected one). */
  close(): void
}

export const DEFAULT_CONTACT = "https://raidhub.io"

export function buildUserAgent(contact: string = DEFAULT_CONTACT): string {
  return `RaidHub-Services/${packageJson.version} (+${contact})`
}

export function createBungieClient(options: BungieClientOptions): BungieClient {
  const ownsTransport = options.transport === undefined
  const transport =
    options.transport ??
    createTransport({
      apiKey: options.apiKey,
      userAgent: buildUserAgent(options.contact),
      timeoutMs: options.timeoutMs,
      ...(options.sourceAddress === undefined ? {} : { sourceAddress: options.sourceAddress }),
    })
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry, maxAttempts: options.maxAttempts }
  const statsRoot = platformRoot(options.baseUrl)
  const wwwRoot = platformRoot(options.wwwBaseUrl)

  /** One logical call: URL → retried (transport → decode → classify), then the ok value mapped. */
  function call<T>(
    endpoint: BungieEndpoint,
    host: "stats" | "www",
    path: string,
    toValue: (response: unknown, body: Uint8Array) => T,
    initialQuery = "",
    decode: JsonDecoder = decodeJson,
  ): Promise<BungieResult<T>> {
    const url = `${host === "stats" ? statsRoot : wwwRoot}${path}${initialQuery}`
    return runWithRetry<T>(
      async (context) => {
        const outcome = await transport.get(applyCacheBust(url, context.cacheBust))
        if (outcome.kind === "networkError") return classifyNetworkError(outcome)
        const decoded = decodeBody(outcome.headers["content-type"] ?? null, outcome.body, decode)
        const result = classifyResponse({
          status: outcome.status,
          retryAfter: outcome.headers["retry-after"] ?? null,
          body: decoded,
          latencyMs: outcome.latencyMs,
        })
        if (result.kind !== "ok") return result
        return { kind: "ok", value: toValue(result.value, outcome.body), meta: result.meta }
      },
      policy,
      {
        ...(options.beforeAttempt === undefined
          ? {}
          : { beforeAttempt: (c: AttemptContext) => options.beforeAttempt!({ ...c, endpoint, host }) }),
        ...(options.onAttempt === undefined ? {} : { onAttempt: (r: AttemptReport) => options.onAttempt!({ ...r, endpoint, host }) }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        ...(options.random === undefined ? {} : { random: options.random }),
      },
    )
  }

  const asIs = <T>(response: unknown) => response as T

  return {
    getPgcr(instanceId, pgcrOptions = {}) {
      const malformed = pgcrOptions.malformedRetry
      const query = malformed === undefined || malformed <= 0 ? "" : `?malformed_retry=${Math.floor(malformed)}`
      return call<RawPgcr>(
        "pgcr",
        "stats",
        `/Destiny2/Stats/PostGameCarnageReport/${decimal(instanceId)}/`,
        (response, bytes) => {
          stringifyPgcrIds(response)
          return { bytes, pgcr: response as DecodedPgcr }
        },
        query,
        // Non-raids (most ids) are summarised without a full parse: see pgcr-decode.ts.
        decodePgcrJson,
      )
    },
    getSettings() {
      return call("settings", "www", "/Settings/", asIs<CoreSettingsConfiguration>)
    },
    getManifest() {
      return call("manifest", "www", "/Destiny2/Manifest/", asIs<DestinyManifest>)
    },
    getProfile(membershipType, membershipId, components) {
      const path = `/Destiny2/${int(membershipType)}/Profile/${decimal(membershipId)}/?components=${componentList(components)}`
      return call("profile", "www", path, asIs<DestinyProfileResponse>)
    },
    getCharacter(membershipType, membershipId, characterId, components) {
      const path = `/Destiny2/${int(membershipType)}/Profile/${decimal(membershipId)}/Character/${decimal(characterId)}/?components=${componentList(components)}`
      return call("character", "www", path, asIs<DestinyCharacterResponse>)
    },
    getActivityHistory(membershipType, membershipId, characterId, query = {}) {
      const params = new URLSearchParams()
      if (query.mode !== undefined) params.set("mode", String(int(query.mode)))
      if (query.count !== undefined) params.set("count", String(int(query.count)))
      if (query.page !== undefined) params.set("page", String(int(query.page)))
      const search = params.size === 0 ? "" : `?${params}`
      const path = `/Destiny2/${int(membershipType)}/Account/${decimal(membershipId)}/Character/${decimal(characterId)}/Stats/Activities/${search}`
      return call("activityHistory", "www", path, asIs<DestinyActivityHistoryResults>)
    },
    getGroupsForMember(membershipType, membershipId, filter = 0, groupType = 1) {
      const path = `/GroupV2/User/${int(membershipType)}/${decimal(membershipId)}/${int(filter)}/${int(groupType)}/`
      return call("groupsForMember", "www", path, asIs<GetGroupsForMemberResponse>)
    },
    getGroup(groupId) {
      return call("group", "www", `/GroupV2/${decimal(groupId)}/`, asIs<GroupResponse>)
    },
    getMembersOfGroup(groupId, page = 1) {
      return call(
        "membersOfGroup",
        "www",
        `/GroupV2/${decimal(groupId)}/Members/?currentpage=${int(page)}`,
        asIs<SearchResultOfGroupMember>,
      )
    },
    getLinkedProfiles(membershipType, membershipId, getAllMemberships = true) {
      const path = `/Destiny2/${int(membershipType)}/Profile/${decimal(membershipId)}/LinkedProfiles/?getAllMemberships=${getAllMemberships}`
      return call("linkedProfiles", "www", path, asIs<DestinyLinkedProfilesResponse>)
    },
    close() {
      if (ownsTransport) transport.close()
    },
  }
}

/** `https://host` or `https://host/Platform/` → `https://host/Platform`. */
export function platformRoot(base: string): string {
  const trimmed = base.replace(/\/+$/, "")
  return trimmed.endsWith("/Platform") ? trimmed : `${trimmed}/Platform`
}

/** Ids go into paths; a negative or non-bigint id is a caller bug. */
function decimal(id: bigint): string {
  if (typeof id !== "bigint" || id < 0n) throw new TypeError(`expected a non-negative bigint id, got ${String(id)}`)
  return id.toString()
}

function int(value: number): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`expected an integer, got ${value}`)
  return value
}

function componentList(components: readonly number[]): string {
  if (components.length === 0) throw new TypeError("at least one component is required")
  return components.map(int).join(",")
}

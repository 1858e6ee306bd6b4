/**
 * Pure readers of the Bungie responses the player-side workers use: what to store from a
 * profile, a history page, a group and a roster page. Bodies are read defensively (Bungie omits
 * components it was not asked for, or hides them by privacy); ids stay strings.
 */

export interface CharacterFacts {
  characterId: string
  classHash: number | null
  emblemHash: number | null
  emblemPath: string | null
  /** ms since the epoch; null when absent. */
  lastPlayedMs: number | null
}

export interface ProfileFacts {
  membershipType: number | null
  displayName: string | null
  bungieGlobalDisplayName: string | null
  /** Four digits, zero-padded, as the store writes it from PGCRs. */
  bungieGlobalDisplayNameCode: string | null
  /** Emblem of the most recently played character (what the site shows as the player's icon). */
  iconPath: string | null
  lastPlayedMs: number | null
  /** Every character, most recently played first. */
  characters: CharacterFacts[]
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null
const asString = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null)
const asId = (v: unknown): string | null =>
  typeof v === "string" && /^\d{1,20}$/.test(v) ? v : typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? String(v) : null
const asHash = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : null)
const asTime = (v: unknown): number | null => {
  const ms = typeof v === "string" ? Date.parse(v) : Number.NaN
  return Number.isFinite(ms) ? ms : null
}

export function readCharacter(raw: unknown, fallbackId: string | null = null): CharacterFacts | null {
  const c = asObject(raw)
  if (c === null) return null
  const characterId = asId(c.characterId) ?? fallbackId
  if (characterId === null) return null
  return {
    characterId,
    classHash: asHash(c.classHash),
    emblemHash: asHash(c.emblemHash),
    emblemPath: asString(c.emblemPath),
    lastPlayedMs: asTime(c.dateLastPlayed),
  }
}

/** Components 100 (profile) and 200 (characters) of GetProfile. */
export function readProfile(response: unknown): ProfileFacts {
  const r = asObject(response) ?? {}
  const data = asObject(asObject(r.profile)?.data) ?? {}
  const user = asObject(data.userInfo) ?? {}
  const charactersData = asObject(asObject(r.characters)?.data) ?? {}
  const characters: CharacterFacts[] = []
  for (const [id, raw] of Object.entries(charactersData)) {
    const c = readCharacter(raw, asId(id))
    if (c !== null) characters.push(c)
  }
  // Characters the profile lists without component 200 (hidden or not asked for).
  for (const id of Array.isArray(data.characterIds) ? data.characterIds : []) {
    const characterId = asId(id)
    if (characterId !== null && !characters.some((c) => c.characterId === characterId)) {
      characters.push({ characterId, classHash: null, emblemHash: null, emblemPath: null, lastPlayedMs: null })
    }
  }
  characters.sort((a, b) => (b.lastPlayedMs ?? -1) - (a.lastPlayedMs ?? -1))
  const code = user.bungieGlobalDisplayNameCode
  const global = asString(user.bungieGlobalDisplayName)
  const type = user.membershipType
  return {
    membershipType: typeof type === "number" && Number.isInteger(type) ? type : null,
    displayName: asString(user.displayName),
    bungieGlobalDisplayName: global,
    bungieGlobalDisplayNameCode:
      global !== null && typeof code === "number" && Number.isInteger(code) && code >= 0 && code <= 9999
        ? String(code).padStart(4, "0")
        : null,
    iconPath: characters.find((c) => c.emblemPath !== null)?.emblemPath ?? null,
    lastPlayedMs: asTime(data.dateLastPlayed) ?? characters[0]?.lastPlayedMs ?? null,
    characters,
  }
}

export interface HistoryPage {
  /** Instance ids listed, in page order (newest first). */
  instanceIds: string[]
  /** Start of the oldest activity on the page (ms), or null. */
  earliestMs: number | null
  /** Start of the newest activity on the page (ms), or null. */
  latestMs: number | null
}

/** One page of GetActivityHistory; Bungie answers `{}` past the last page. */
export function readHistoryPage(response: unknown): HistoryPage {
  const activities = asObject(response)?.activities
  const instanceIds: string[] = []
  let earliestMs: number | null = null
  let latestMs: number | null = null
  for (const raw of Array.isArray(activities) ? activities : []) {
    const a = asObject(raw)
    const id = asId(asObject(a?.activityDetails)?.instanceId)
    if (id === null) continue
    instanceIds.push(id)
    const t = asTime(a?.period)
    if (t !== null) {
      earliestMs = earliestMs === null ? t : Math.min(earliestMs, t)
      latestMs = latestMs === null ? t : Math.max(latestMs, t)
    }
  }
  return { instanceIds, earliestMs, latestMs }
}

export interface ClanFacts {
  groupId: string
  name: string
  motto: string
  callSign: string
  /** clanInfo.clanBannerData as Bungie sent it (stored as JSON). */
  bannerData: Record<string, unknown>
}

/** GetGroup's detail; null when the body has no usable group. */
export function readGroup(response: unknown): ClanFacts | null {
  const detail = asObject(asObject(response)?.detail)
  if (detail === null) return null
  const groupId = asId(detail.groupId)
  const name = typeof detail.name === "string" ? detail.name : null
  if (groupId === null || name === null) return null
  const clanInfo = asObject(detail.clanInfo) ?? {}
  return {
    groupId,
    name,
    motto: typeof detail.motto === "string" ? detail.motto : "",
    callSign: typeof clanInfo.clanCallsign === "string" ? clanInfo.clanCallsign : "",
    bannerData: asObject(clanInfo.clanBannerData) ?? {},
  }
}

export interface RosterPage {
  members: { membershipId: string; membershipType: number | null }[]
  hasMore: boolean
}

/** One page of GetMembersOfGroup. */
export function readRosterPage(response: unknown): RosterPage {
  const r = asObject(response) ?? {}
  const members: RosterPage["members"] = []
  for (const raw of Array.isArray(r.results) ? r.results : []) {
    const user = asObject(asObject(raw)?.destinyUserInfo)
    const membershipId = asId(user?.membershipId)
    if (membershipId === null) continue
    const type = user?.membershipType
    members.push({ membershipId, membershipType: typeof type === "number" && Number.isInteger(type) ? type : null })
  }
  return { members, hasMore: r.hasMore === true }
}

/** The clan (group type 1) of GetGroupsForMember's answer, or null when the player has none. */
export function readMemberClan(response: unknown): string | null {
  const results = asObject(response)?.results
  for (const raw of Array.isArray(results) ? results : []) {
    const group = asObject(asObject(raw)?.group)
    if (group !== null && (group.groupType === undefined || group.groupType === 1)) {
      const id = asId(group.groupId)
      if (id !== null) return id
    }
  }
  return null
}

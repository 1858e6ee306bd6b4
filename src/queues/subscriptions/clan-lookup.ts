/**
 * Which clans the players of an instance belong to, for clan-scoped rules. Our clan tables
 * (clan.clan_members, filled by the clan crawl) answer first; a player they do not know is asked
 * of Bungie (GroupV2 GetGroupsForMember, clans only) through the shared rate-limited client, and
 * the answer is kept in process for `ttlMs` (the original kept it 6 h in Redis).
 *
 * A player Bungie cannot answer for right now (throttled, down, unknown membership type) has
 * unknown clans (null): the instance is still matched against player rules without waiting; only
 * that player's clan rules miss it. Unknowns are not cached.
 */
import type { BungieRequest, CallOptions } from "../../lib/bungie/rate-limited.ts"
import type { BungieResult } from "../../lib/bungie/result.ts"
import type { AnySql } from "../../lib/database/sql-types.ts"

export interface ClanLookupDeps {
  sql: AnySql
  /** Null: the clan tables only. */
  bungie: { call<T>(request: BungieRequest<T>, options?: CallOptions): Promise<BungieResult<T>> } | null
  ttlMs?: number
  maxEntries?: number
  now?: () => number
}

export interface LookupPlayer {
  membershipId: string
  membershipType: number | null
}

export interface ClanLookupResult {
  /** Group ids per membership id; null = unknown. */
  groups: Map<string, string[] | null>
  fromTables: number
  fromCache: number
  fromBungie: number
  unresolved: number
}

export interface ClanLookup {
  resolve(players: readonly LookupPlayer[], signal?: AbortSignal): Promise<ClanLookupResult>
}

const GROUP_TYPE_CLAN = 1
const SIX_HOURS = 6 * 60 * 60_000

export function createClanLookup(deps: ClanLookupDeps): ClanLookup {
  const ttlMs = deps.ttlMs ?? SIX_HOURS
  const maxEntries = deps.maxEntries ?? 100_000
  const now = deps.now ?? Date.now
  const cache = new Map<string, { groups: string[]; at: number }>()

  function remember(membershipId: string, groups: string[]): void {
    cache.delete(membershipId)
    cache.set(membershipId, { groups, at: now() })
    // Map order is insertion order: the first key is the oldest entry.
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string)
  }

  return {
    async resolve(players, signal) {
      const out: ClanLookupResult = { groups: new Map(), fromTables: 0, fromCache: 0, fromBungie: 0, unresolved: 0 }
      if (players.length === 0) return out
      const rows = await deps.sql.unsafe<{ membership_id: string; group_ids: string[] }[]>(
        `select membership_id::text as membership_id, array_agg(group_id::text order by group_id) as group_ids
         from clan.clan_members where membership_id = any($1::bigint[]) group by membership_id`,
        [players.map((p) => p.membershipId)],
      )
      for (const r of rows) out.groups.set(r.membership_id, r.group_ids)
      out.fromTables = rows.length
      const ask: LookupPlayer[] = []
      for (const p of players) {
        if (out.groups.has(p.membershipId)) continue
        const cached = cache.get(p.membershipId)
        if (cached && now() - cached.at < ttlMs) {
          out.groups.set(p.membershipId, cached.groups)
          out.fromCache++
        } else ask.push(p)
      }
      // Concurrently (at most 24 players reach here): the shared limiter paces the requests.
      const answers = await Promise.all(ask.map((p) => askBungie(p, signal)))
      for (const [i, p] of ask.entries()) {
        const asked = answers[i] ?? null
        if (asked === null) {
          out.groups.set(p.membershipId, null)
          out.unresolved++
        } else {
          remember(p.membershipId, asked)
          out.groups.set(p.membershipId, asked)
          out.fromBungie++
        }
      }
      return out
    },
  }

  async function askBungie(p: LookupPlayer, signal: AbortSignal | undefined): Promise<string[] | null> {
    // GetGroupsForMember needs the real platform; an unknown type waits for the player crawl.
    if (deps.bungie === null || p.membershipType === null || p.membershipType <= 0) return null
    const type = p.membershipType
    const result = await deps.bungie.call((client) => client.getGroupsForMember(type, BigInt(p.membershipId), 0, GROUP_TYPE_CLAN), {
      maxAttempts: 2,
      ...(signal ? { signal } : {}),
    })
    if (result.kind !== "ok") return null
    return (result.value.results ?? [])
      .filter((r) => r.group?.groupType === GROUP_TYPE_CLAN)
      .map((r) => String(r.group.groupId))
      .filter((id) => /^\d{1,19}$/.test(id))
  }
}

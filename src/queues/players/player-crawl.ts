/**
 * player_crawl: a membership id whose profile to crawl (store outbox for new players, the public
 * API on every profile / instance / clan view, clan_crawl for unknown members, hera).
 *
 *   1. Skip when the player was crawled within the re-crawl window (HERMES_RECRAWL_MINUTES; the
 *      original never wrote last_crawled, so every message hit Bungie), and collapse duplicates
 *      in flight in this process.
 *   2. GetProfile (100, 200) with the known type, or a guess; a wrong type answers
 *      InvalidParameters naming the right one, which costs one extra call.
 *   3. The first history page (raids, 250) of the most recently played character: privacy
 *      (1665 → is_private) and an earlier first_seen.
 *   4. When the player's clan is unknown or older than HERMES_CLAN_REFRESH_DAYS: GetGroupsForMember.
 *      A clan stored and fresh gets the membership row directly; any other goes to clan_crawl.
 *   5. One upsert of core.player (names, icon, type, first_seen only earlier, last_seen only
 *      later, privacy, last_crawled), then the clan_crawl publish.
 *
 * 1601 (or 8) → profile_missing_at and last_crawled recorded, acknowledged: not retried.
 * Requests per crawl: 3 with the type known (2 when the clan is fresh), one more per wrong guess.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import type { ConfirmedPublisher } from "../../lib/messaging/confirmed-publisher.ts"
import { type Outcome, ok, type QueueWorker } from "../../lib/messaging/queue-worker.ts"
import { RETRY_COUNT_HEADER } from "../../lib/messaging/retry-schedule.ts"
import { encodeIdMessage } from "../../lib/messaging/wire-format.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { InFlight, RecentKeys } from "./dedupe.ts"
import { doesNotExist, failureOutcome, isPrivacyRestriction } from "./outcomes.ts"
import { readHistoryPage, readMemberClan, readProfile } from "./readers.ts"
import { CALL_OPTIONS, callWithMembershipType, type PlayerBungie } from "./resolve-type.ts"

export const DEFAULT_RECRAWL_MS = 60 * 60_000
export const DEFAULT_CLAN_REFRESH_MS = 7 * 86_400_000
/** Raids (Pantheon included), Bungie's largest page. */
export const RAID_MODE = 4
export const HISTORY_PAGE_SIZE = 250

export interface PlayerCrawlDeps {
  sql: AnySql
  bungie: PlayerBungie
  publisher: ConfirmedPublisher
  log: Logger
  /** Skip a player crawled within this long (default 1 h). */
  recrawlMs?: number
  /** Look the player's clan up again when it is older than this (default 7 days). */
  clanRefreshMs?: number
  now?: () => number
}

interface StoredPlayer {
  membership_type: number | null
  last_crawled: Date | null
  group_id: string | null
  clan_updated_at: Date | null
}

export function createPlayerCrawlWorker(deps: PlayerCrawlDeps): QueueWorker<bigint> {
  const now = deps.now ?? Date.now
  const recrawlMs = deps.recrawlMs ?? DEFAULT_RECRAWL_MS
  const clanRefreshMs = deps.clanRefreshMs ?? DEFAULT_CLAN_REFRESH_MS
  const inFlight = new InFlight<Outcome>()
  // A clan sent to clan_crawl by this process lately is not sent again for each of its members.
  const clansSent = new RecentKeys(recrawlMs, 10_000, now)

  async function crawl(id: bigint, signal: AbortSignal): Promise<Outcome> {
    const idText = id.toString()
    const [stored] = await deps.sql<StoredPlayer[]>`
      select p.membership_type, p.last_crawled, m.group_id::text as group_id, c.updated_at as clan_updated_at
      from core.player p
      left join lateral (select group_id from clan.clan_members where membership_id = p.membership_id limit 1) m on true
      left join clan.clan c on c.group_id = m.group_id and c.deleted_at is null
      where p.membership_id = ${idText}::bigint`
    if (stored?.last_crawled && now() - stored.last_crawled.getTime() < recrawlMs) return ok

    const profile = await callWithMembershipType(
      deps.bungie,
      stored?.membership_type ?? null,
      (client, type) => client.getProfile(type, id, [100, 200]),
      signal,
    )
    if (profile.result.kind !== "ok") {
      if (doesNotExist(profile.result) || profile.result.kind === "notFound" || profile.result.meta.errorCode === 18) {
        await deps.sql`
          update core.player set profile_missing_at = ${new Date(now())}, last_crawled = ${new Date(now())}, updated_at = now()
          where membership_id = ${idText}::bigint`
        deps.log.info("player_crawl.missing", { membershipId: idText, errorCode: profile.result.meta.errorCode })
        return ok
      }
      return failureOutcome(profile.result, "GetProfile")
    }
    const facts = readProfile(profile.result.value)
    const type = facts.membershipType ?? profile.membershipType

    // Privacy and an earlier first_seen from the newest character's latest raids.
    let isPrivate: boolean | null = null
    let earliestMs: number | null = null
    const newest = facts.characters[0]
    if (newest !== undefined) {
      const page = await deps.bungie.call(
        (client) => client.getActivityHistory(type, id, BigInt(newest.characterId), { mode: RAID_MODE, count: HISTORY_PAGE_SIZE, page: 0 }),
        { ...CALL_OPTIONS, signal },
      )
      if (page.kind === "ok") {
        isPrivate = false
        earliestMs = readHistoryPage(page.value).earliestMs
      } else if (isPrivacyRestriction(page)) isPrivate = true
      else if (page.kind !== "notFound") return failureOutcome(page, "GetActivityHistory")
    }

    // The clan: looked up when unknown or stale; a failure here does not fail the crawl.
    let clan: { groupId: string | null } | null = null
    const clanFresh = stored?.clan_updated_at != null && now() - stored.clan_updated_at.getTime() < clanRefreshMs
    if (!clanFresh) {
      const groups = await deps.bungie.call((client) => client.getGroupsForMember(type, id, 0, 1), { ...CALL_OPTIONS, signal })
      if (groups.kind === "ok") clan = { groupId: readMemberClan(groups.value) }
      else deps.log.warn("player_crawl.groups_failed", { membershipId: idText, kind: groups.kind, errorCode: groups.meta.errorCode })
    }

    const at = new Date(now())
    const lastSeen = facts.lastPlayedMs === null ? null : new Date(facts.lastPlayedMs)
    const firstSeen = earliestMs === null ? null : new Date(earliestMs)
    const clanToCrawl = await deps.sql.begin(async (tx) => {
      await tx`
        insert into core.player as cur (membership_id, membership_type, icon_path, display_name, bungie_global_display_name,
          bungie_global_display_name_code, first_seen, last_seen, is_private, last_crawled, profile_seen_at)
        values (${idText}::bigint, ${type}, ${facts.iconPath}, ${facts.displayName}, ${facts.bungieGlobalDisplayName},
          ${facts.bungieGlobalDisplayNameCode}, coalesce(${firstSeen}::timestamptz, ${lastSeen}::timestamptz, ${at}::timestamptz),
          coalesce(${lastSeen}::timestamptz, ${at}::timestamptz), coalesce(${isPrivate}::boolean, false), ${at}, ${at})
        on conflict (membership_id) do update set
          membership_type = excluded.membership_type,
          icon_path = coalesce(excluded.icon_path, cur.icon_path),
          display_name = coalesce(excluded.display_name, cur.display_name),
          bungie_global_display_name = coalesce(excluded.bungie_global_display_name, cur.bungie_global_display_name),
          bungie_global_display_name_code = coalesce(excluded.bungie_global_display_name_code, cur.bungie_global_display_name_code),
          first_seen = least(cur.first_seen, coalesce(${firstSeen}::timestamptz, cur.first_seen)),
          last_seen = greatest(cur.last_seen, coalesce(${lastSeen}::timestamptz, cur.last_seen)),
          is_private = coalesce(${isPrivate}::boolean, cur.is_private),
          last_crawled = excluded.last_crawled,
          profile_seen_at = excluded.profile_seen_at,
          profile_missing_at = null,
          updated_at = now()`
      if (clan === null) return null
      if (clan.groupId === null) {
        await tx`delete from clan.clan_members where membership_id = ${idText}::bigint`
        return null
      }
      // A player is in one clan: any other membership row is stale.
      await tx`delete from clan.clan_members where membership_id = ${idText}::bigint and group_id <> ${clan.groupId}::bigint`
      const [known] = await tx<{ updated_at: Date }[]>`
        select updated_at from clan.clan where group_id = ${clan.groupId}::bigint and deleted_at is null`
      if (known && now() - known.updated_at.getTime() < clanRefreshMs) {
        await tx`insert into clan.clan_members (group_id, membership_id) values (${clan.groupId}::bigint, ${idText}::bigint)
                 on conflict do nothing`
        return null
      }
      return clan.groupId
    })
    if (clanToCrawl !== null && clansSent.mark(clanToCrawl)) {
      try {
        await deps.publisher.publish("clan_crawl", encodeIdMessage("groupId", BigInt(clanToCrawl)), {
          contentType: "application/json",
          headers: { [RETRY_COUNT_HEADER]: 0 },
        })
      } catch (error) {
        // The retry of this message must not be skipped as "crawled": the clan would be lost.
        clansSent.forget(clanToCrawl)
        await deps.sql`update core.player set last_crawled = null where membership_id = ${idText}::bigint`
        throw error
      }
    }
    return ok
  }

  return {
    queue: "player_crawl",
    async handle(delivery): Promise<Outcome> {
      const outcome = await inFlight.run(delivery.value.toString(), () => crawl(delivery.value, delivery.signal))
      return outcome ?? ok
    },
  }
}

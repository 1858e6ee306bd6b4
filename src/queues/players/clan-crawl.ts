/**
 * clan_crawl: a group id whose clan and roster to crawl (the public API on clan pages,
 * player_crawl for a clan it does not know or that is stale, hera weekly).
 *
 * GetGroup, then GetMembersOfGroup page by page (Bungie pages 50 at a time; bounded). In one
 * transaction: upsert clan.clan (name, motto, call sign, banner JSON, updated_at) and replace its
 * member set in clan.clan_members with the members we know as players (members who left are
 * removed; a member listed here leaves any other clan). Members we do not know yet go to
 * player_crawl once each; that crawl adds their membership row (the clan is fresh by then).
 *
 * A clan crawled within the re-crawl window is skipped. 686 GroupNotFound (deleted clan) marks
 * the stored clan deleted_at and removes its members; acknowledged, not retried.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import type { ConfirmedPublisher } from "../../lib/messaging/confirmed-publisher.ts"
import { type Outcome, ok, type QueueWorker } from "../../lib/messaging/queue-worker.ts"
import { RETRY_COUNT_HEADER } from "../../lib/messaging/retry-schedule.ts"
import { encodeIdMessage } from "../../lib/messaging/wire-format.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { InFlight } from "./dedupe.ts"
import { failureOutcome } from "./outcomes.ts"
import { DEFAULT_RECRAWL_MS } from "./player-crawl.ts"
import { type ClanFacts, readGroup, readRosterPage } from "./readers.ts"
import { CALL_OPTIONS, type PlayerBungie } from "./resolve-type.ts"

/** Bungie caps a clan at 100 members (2 pages); 20 pages leave room for any change of that. */
export const MAX_ROSTER_PAGES = 20
const PUBLISH_CHUNK = 64

export interface ClanCrawlDeps {
  sql: AnySql
  bungie: PlayerBungie
  publisher: ConfirmedPublisher
  log: Logger
  /** Skip a clan crawled within this long (default 1 h). */
  recrawlMs?: number
  now?: () => number
}

export function createClanCrawlWorker(deps: ClanCrawlDeps): QueueWorker<bigint> {
  const now = deps.now ?? Date.now
  const recrawlMs = deps.recrawlMs ?? DEFAULT_RECRAWL_MS
  const inFlight = new InFlight<Outcome>()

  async function markDeleted(groupId: string): Promise<Outcome> {
    await deps.sql.begin(async (tx) => {
      await tx`update clan.clan set deleted_at = coalesce(deleted_at, ${new Date(now())}), updated_at = ${new Date(now())}
               where group_id = ${groupId}::bigint`
      await tx`delete from clan.clan_members where group_id = ${groupId}::bigint`
    })
    deps.log.info("clan_crawl.deleted", { groupId })
    return ok
  }

  async function crawl(id: bigint, signal: AbortSignal): Promise<Outcome> {
    const groupId = id.toString()
    const [stored] = await deps.sql<{ updated_at: Date }[]>`select updated_at from clan.clan where group_id = ${groupId}::bigint`
    if (stored && now() - stored.updated_at.getTime() < recrawlMs) return ok

    const group = await deps.bungie.call((client) => client.getGroup(id), { ...CALL_OPTIONS, signal })
    if (group.kind === "notFound") return markDeleted(groupId)
    if (group.kind !== "ok") return failureOutcome(group, "GetGroup", "Groups")
    const clan = readGroup(group.value)
    if (clan === null) return { kind: "retry", reason: "GetGroup: no group detail in the answer" }

    const members = new Set<string>()
    for (let page = 1; page <= MAX_ROSTER_PAGES; page++) {
      const roster = await deps.bungie.call((client) => client.getMembersOfGroup(id, page), { ...CALL_OPTIONS, signal })
      if (roster.kind === "notFound") return markDeleted(groupId)
      // A partial roster must not replace the member set: the whole message is retried.
      if (roster.kind !== "ok") return failureOutcome(roster, "GetMembersOfGroup", "Groups")
      const read = readRosterPage(roster.value)
      for (const m of read.members) members.add(m.membershipId)
      if (!read.hasMore || read.members.length === 0) break
    }

    const unknown = await store(clan, [...members])
    for (let i = 0; i < unknown.length; i += PUBLISH_CHUNK) {
      await Promise.all(
        unknown.slice(i, i + PUBLISH_CHUNK).map((membershipId) =>
          deps.publisher.publish("player_crawl", encodeIdMessage("membershipId", BigInt(membershipId)), {
            contentType: "application/json",
            headers: { [RETRY_COUNT_HEADER]: 0 },
          }),
        ),
      )
    }
    return ok
  }

  /** Upserts the clan and replaces its known members; returns the members not known as players. */
  async function store(clan: ClanFacts, members: string[]): Promise<string[]> {
    const at = new Date(now())
    return deps.sql.begin(async (tx) => {
      await tx`
        insert into clan.clan (group_id, name, motto, call_sign, clan_banner_data, updated_at)
        values (${clan.groupId}::bigint, ${clan.name}, ${clan.motto}, ${clan.callSign}, ${JSON.stringify(clan.bannerData)}::text::jsonb, ${at})
        on conflict (group_id) do update set name = excluded.name, motto = excluded.motto, call_sign = excluded.call_sign,
          clan_banner_data = excluded.clan_banner_data, updated_at = excluded.updated_at, deleted_at = null`
      const known = (
        await tx<{ id: string }[]>`
          select membership_id::text as id from core.player where membership_id = any(${members}::bigint[])`
      ).map((r) => r.id)
      await tx`delete from clan.clan_members where group_id = ${clan.groupId}::bigint and not (membership_id = any(${known}::bigint[]))`
      // A player is in one clan at a time: a membership row elsewhere is stale.
      await tx`delete from clan.clan_members where membership_id = any(${known}::bigint[]) and group_id <> ${clan.groupId}::bigint`
      await tx`
        insert into clan.clan_members (group_id, membership_id)
        select ${clan.groupId}::bigint, unnest(${known}::bigint[])
        on conflict do nothing`
      const knownSet = new Set(known)
      return members.filter((m) => !knownSet.has(m))
    })
  }

  return {
    queue: "clan_crawl",
    async handle(delivery): Promise<Outcome> {
      return (await inFlight.run(delivery.value.toString(), () => crawl(delivery.value, delivery.signal))) ?? ok
    },
  }
}

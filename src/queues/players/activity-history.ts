/**
 * activity_history: a membership id whose raid history to page (pan's weekly scan, tools).
 * Every character's mode-4 history (raids and Pantheon), 250 per page, characters concurrently
 * and each character's pages in order until a short page; every listed instance id that is not
 * stored goes to pgcr_exists, the back-fill path for ids the crawler missed (the original's later
 * version only counted them). Then history_last_crawled and privacy are recorded.
 *
 * Private history (1665) → is_private and history_last_crawled recorded, acknowledged. An account
 * Bungie does not know (1601) → profile_missing_at recorded, acknowledged. A character that no
 * longer exists (1620) is skipped.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import type { ConfirmedPublisher } from "../../lib/messaging/confirmed-publisher.ts"
import { type Outcome, ok, type QueueWorker } from "../../lib/messaging/queue-worker.ts"
import { RETRY_COUNT_HEADER } from "../../lib/messaging/retry-schedule.ts"
import { encodeIdMessage } from "../../lib/messaging/wire-format.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { InFlight } from "./dedupe.ts"
import { doesNotExist, failureOutcome, isPrivacyRestriction } from "./outcomes.ts"
import { HISTORY_PAGE_SIZE, RAID_MODE } from "./player-crawl.ts"
import { readHistoryPage, readProfile } from "./readers.ts"
import { CALL_OPTIONS, callWithMembershipType, type PlayerBungie } from "./resolve-type.ts"

/** 40 pages of 250: deeper than any real raid history, so a looping answer cannot run forever. */
export const MAX_HISTORY_PAGES = 40

const PUBLISH_CHUNK = 64

export interface ActivityHistoryDeps {
  sql: AnySql
  bungie: PlayerBungie
  publisher: ConfirmedPublisher
  log: Logger
  now?: () => number
}

type CharacterHistory = { kind: "ok"; ids: string[] } | { kind: "private" } | { kind: "failed"; outcome: Outcome }

export function createActivityHistoryWorker(deps: ActivityHistoryDeps): QueueWorker<bigint> {
  const now = deps.now ?? Date.now
  const inFlight = new InFlight<Outcome>()

  async function pages(type: number, id: bigint, characterId: string, signal: AbortSignal): Promise<CharacterHistory> {
    const ids: string[] = []
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const result = await deps.bungie.call(
        (client) => client.getActivityHistory(type, id, BigInt(characterId), { mode: RAID_MODE, count: HISTORY_PAGE_SIZE, page }),
        { ...CALL_OPTIONS, signal },
      )
      if (result.kind !== "ok") {
        if (isPrivacyRestriction(result)) return { kind: "private" }
        // A deleted character (1620): nothing more to list for it.
        if (result.kind === "notFound") return { kind: "ok", ids }
        return { kind: "failed", outcome: failureOutcome(result, "GetActivityHistory") }
      }
      const listed = readHistoryPage(result.value).instanceIds
      ids.push(...listed)
      if (listed.length < HISTORY_PAGE_SIZE) break
    }
    return { kind: "ok", ids }
  }

  async function crawl(id: bigint, signal: AbortSignal): Promise<Outcome> {
    const idText = id.toString()
    const [stored] = await deps.sql<{ membership_type: number | null }[]>`
      select membership_type from core.player where membership_id = ${idText}::bigint`
    const profile = await callWithMembershipType(
      deps.bungie,
      stored?.membership_type ?? null,
      (client, type) => client.getProfile(type, id, [100]),
      signal,
    )
    if (profile.result.kind !== "ok") {
      if (doesNotExist(profile.result) || profile.result.kind === "notFound" || profile.result.meta.errorCode === 18) {
        await deps.sql`update core.player set profile_missing_at = ${new Date(now())}, updated_at = now() where membership_id = ${idText}::bigint`
        return ok
      }
      return failureOutcome(profile.result, "GetProfile")
    }
    const facts = readProfile(profile.result.value)
    const type = facts.membershipType ?? profile.membershipType
    const histories = await Promise.all(facts.characters.map((c) => pages(type, id, c.characterId, signal)))
    const failed = histories.find((h) => h.kind === "failed")
    if (failed?.kind === "failed") return failed.outcome
    if (histories.some((h) => h.kind === "private")) {
      await deps.sql`
        update core.player set is_private = true, history_last_crawled = ${new Date(now())}, updated_at = now()
        where membership_id = ${idText}::bigint`
      return ok
    }
    const listed = [...new Set(histories.flatMap((h) => (h.kind === "ok" ? h.ids : [])))]
    const storedRows =
      listed.length === 0
        ? []
        : await deps.sql<{ id: string }[]>`
            select instance_id::text as id from core.instance where instance_id = any(${listed}::bigint[])`
    const have = new Set(storedRows.map((r) => r.id))
    const missing = listed.filter((i) => !have.has(i))
    // Confirmed publishes, a bounded number in flight (a deep history can miss hundreds).
    for (let i = 0; i < missing.length; i += PUBLISH_CHUNK) {
      await Promise.all(
        missing.slice(i, i + PUBLISH_CHUNK).map((instanceId) =>
          deps.publisher.publish("pgcr_exists", encodeIdMessage("instanceId", BigInt(instanceId)), {
            contentType: "application/json",
            headers: { [RETRY_COUNT_HEADER]: 0 },
          }),
        ),
      )
    }
    await deps.sql`
      update core.player set is_private = false, history_last_crawled = ${new Date(now())}, updated_at = now()
      where membership_id = ${idText}::bigint`
    if (missing.length > 0)
      deps.log.info("activity_history.missing", { membershipId: idText, listed: listed.length, missing: missing.length })
    return ok
  }

  return {
    queue: "activity_history",
    async handle(delivery): Promise<Outcome> {
      return (await inFlight.run(delivery.value.toString(), () => crawl(delivery.value, delivery.signal))) ?? ok
    },
  }
}

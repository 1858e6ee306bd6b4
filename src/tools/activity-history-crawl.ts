/**
 * activity-history-update --run: a player's raid history crawled here instead of by the
 * activity_history worker. The profile gives the characters; each character's raid history
 * (mode 4, 250 a page, newest first, at most `maxPages` pages) gives instance ids; the ones we
 * have not stored go to pgcr_exists (outbox rows), and history_last_crawled is set, in one
 * transaction per player. A player whose membership type we do not know yet, whose history is
 * private, or whom Bungie does not answer for is reported and left for the next run.
 */
import type { RateLimitedBungie } from "../lib/bungie/rate-limited.ts"
import type { Progress } from "../lib/cli/progress.ts"
import type { Sql } from "../lib/database/postgres.ts"
import { mapBounded } from "../lib/jobs/fetch-and-process.ts"
import { enqueueIds } from "../lib/jobs/queue-outbox.ts"

export interface HistoryCrawlOptions {
  sql: Sql
  bungie: RateLimitedBungie
  membershipIds: readonly string[]
  concurrency: number
  dryRun: boolean
  maxPages?: number
  progress?: (total: number) => Progress
}

export interface HistoryCrawlReport {
  players: number
  crawled: number
  failed: { membershipId: string; reason: string }[]
  /** Raid instance ids in the histories (per player), those not stored, and those enqueued to pgcr_exists (once per run). */
  instances: number
  missing: number
  enqueued: number
  dryRun: boolean
}

const PAGE_SIZE = 250

export async function crawlHistories(o: HistoryCrawlOptions): Promise<HistoryCrawlReport> {
  const report: HistoryCrawlReport = {
    players: o.membershipIds.length,
    crawled: 0,
    failed: [],
    instances: 0,
    missing: 0,
    enqueued: 0,
    dryRun: o.dryRun,
  }
  const progress = o.progress?.(o.membershipIds.length)
  // Players of one run share instances: each missing instance is enqueued once.
  const enqueuedIds = new Set<string>()
  await mapBounded(o.membershipIds, o.concurrency, async (membershipId) => {
    const outcome = await crawlOne(o, membershipId, enqueuedIds)
    if ("reason" in outcome) report.failed.push({ membershipId, reason: outcome.reason })
    else {
      report.crawled++
      report.instances += outcome.instances
      report.missing += outcome.missing
      report.enqueued += outcome.enqueued
    }
    progress?.advance()
  })
  progress?.finish()
  report.failed.sort((a, b) => (BigInt(a.membershipId) < BigInt(b.membershipId) ? -1 : 1))
  return report
}

async function crawlOne(
  o: HistoryCrawlOptions,
  membershipId: string,
  enqueuedIds: Set<string>,
): Promise<{ reason: string } | { instances: number; missing: number; enqueued: number }> {
  const [player] = await o.sql<
    { type: number | null }[]
  >`select membership_type as type from core.player where membership_id = ${membershipId}::bigint`
  if (!player) return { reason: "not a stored player" }
  if (player.type === null || player.type === 0 || player.type === 4)
    return { reason: "membership type unknown (the player crawl fills it in)" }
  const id = BigInt(membershipId)
  const profile = await o.bungie.call((c) => c.getProfile(player.type!, id, [100]), { maxAttempts: 4 })
  if (profile.kind !== "ok") return { reason: `profile: ${profile.kind} (ErrorCode ${profile.meta.errorCode ?? "-"})` }
  const characterIds = (profile.value.profile?.data?.characterIds ?? []).map(String)
  const instanceIds = new Set<string>()
  for (const characterId of characterIds) {
    for (let page = 0; page < (o.maxPages ?? 100); page++) {
      const history = await o.bungie.call(
        (c) => c.getActivityHistory(player.type!, id, BigInt(characterId), { mode: 4, count: PAGE_SIZE, page }),
        {
          maxAttempts: 4,
        },
      )
      if (history.kind !== "ok") {
        const reason =
          history.meta.errorCode === 1665 ? "private history" : `history: ${history.kind} (ErrorCode ${history.meta.errorCode ?? "-"})`
        return { reason }
      }
      const activities = history.value.activities ?? []
      for (const a of activities) {
        const instanceId = String(a.activityDetails?.instanceId ?? "")
        if (/^[1-9][0-9]{0,18}$/.test(instanceId)) instanceIds.add(instanceId)
      }
      if (activities.length < PAGE_SIZE) break
    }
  }
  const ids = [...instanceIds]
  return o.sql.begin(async (tx) => {
    const stored = await tx<{ id: string }[]>`select instance_id::text as id from core.instance where instance_id = any(${ids}::bigint[])`
    const have = new Set(stored.map((r) => r.id))
    const missing = ids.filter((i) => !have.has(i)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
    const fresh = missing.filter((i) => !enqueuedIds.has(i))
    for (const i of fresh) enqueuedIds.add(i)
    if (o.dryRun) return { instances: ids.length, missing: missing.length, enqueued: 0 }
    const enqueued = await enqueueIds(tx, "pgcr_exists", fresh)
    await tx`update core.player set history_last_crawled = now() where membership_id = ${membershipId}::bigint`
    return { instances: ids.length, missing: missing.length, enqueued }
  })
}

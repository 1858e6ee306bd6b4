/**
 * pan: picks players whose raid history should be crawled again and puts them on the
 * activity_history queue (outbox rows, one transaction). The candidates are the top `top` players
 * by clears whose history was never crawled or not for `staleDays` days; `count` of them are
 * drawn at random, so a weekly run spreads over the whole stale top instead of re-picking the same
 * heads while the workers catch up.
 */
import type { Sql } from "../../lib/database/postgres.ts"
import { enqueueIds } from "../../lib/jobs/queue-outbox.ts"

export interface ScanOptions {
  sql: Sql
  top: number
  count: number
  staleDays: number
  dryRun: boolean
  now?: () => Date
}

export interface ScanReport {
  /** Stale players among the top. */
  eligible: number
  /** Membership ids enqueued (or, with dryRun, that would be). */
  selected: string[]
  enqueued: number
  dryRun: boolean
}

export async function scanHistories(o: ScanOptions): Promise<ScanReport> {
  const now = o.now?.() ?? new Date()
  const staleBefore = new Date(now.getTime() - o.staleDays * 86_400_000)
  return o.sql.begin(async (tx) => {
    const [counted] = await tx<{ eligible: number }[]>`
      with top as (select history_last_crawled from core.player order by clears desc, membership_id limit ${o.top})
      select count(*)::int as eligible from top where history_last_crawled is null or history_last_crawled < ${staleBefore}`
    const rows = await tx<{ id: string }[]>`
      with top as (select membership_id, history_last_crawled from core.player order by clears desc, membership_id limit ${o.top})
      select membership_id::text as id from top
      where history_last_crawled is null or history_last_crawled < ${staleBefore}
      order by random() limit ${o.count}`
    const selected = rows.map((r) => r.id)
    const enqueued = o.dryRun ? 0 : await enqueueIds(tx, "activity_history", selected)
    return { eligible: counted?.eligible ?? 0, selected, enqueued, dryRun: o.dryRun }
  })
}

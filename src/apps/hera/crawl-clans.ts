/**
 * hera: the clans of the leaderboards' top players. For every player placed in the top N of a
 * global or per-raid leaderboard, Bungie's GetGroupsForMember (through the shared rate-limited
 * client, bounded concurrency) gives their clan; every distinct clan with a member still active
 * goes to the clan_crawl queue (outbox rows), whose worker rebuilds the clan and its roster. Once
 * those messages have drained (bounded wait), leaderboard.clan_leaderboard is refreshed: not before,
 * or it would rank last week's rosters.
 */
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import type { Progress } from "../../lib/cli/progress.ts"
import type { Sql } from "../../lib/database/postgres.ts"
import { mapBounded } from "../../lib/jobs/fetch-and-process.ts"
import { topicOf } from "../../lib/jobs/queue-outbox.ts"
import { type LeaderboardPlayer, selectLeaderboardPlayers } from "./leaderboard-players.ts"
import { type DrainResult, waitForDrain } from "./queue-drain.ts"

export interface CrawlOptions {
  sql: Sql
  bungie: RateLimitedBungie
  top: number
  concurrency: number
  rabbitmqUrl: string | null
  drainTimeoutMs: number
  drainPollMs: number
  dryRun: boolean
  progress?: (total: number) => Progress
}

export interface CrawlReport {
  players: number
  /** Players whose groups Bungie would not give (private, unknown, errors after retries). */
  lookupFailures: number
  clans: string[]
  enqueued: number
  drain: DrainResult | null
  refreshed: boolean
  dryRun: boolean
}

export async function crawlLeaderboardClans(o: CrawlOptions): Promise<CrawlReport> {
  const players = await selectLeaderboardPlayers(o.sql, o.top)
  const progress = o.progress?.(players.length)
  let lookupFailures = 0
  const groups = await mapBounded(players, o.concurrency, async (player) => {
    const found = await findClans(o.bungie, player)
    if (found === null) lookupFailures++
    progress?.advance()
    return found ?? []
  })
  progress?.finish()
  const clans = [...new Set(groups.flat())].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
  const report: CrawlReport = {
    players: players.length,
    lookupFailures,
    clans,
    enqueued: 0,
    drain: null,
    refreshed: false,
    dryRun: o.dryRun,
  }
  if (o.dryRun) return report
  const outboxIds = await o.sql.begin(async (tx) => {
    const rows = await tx<{ id: string }[]>`
      insert into crawl.outbox (topic, payload)
      select ${topicOf("clan_crawl")}, convert_to(json_build_object('groupId', g::text)::text, 'UTF8')
      from unnest(${clans}::bigint[]) with ordinality as t(g, n) order by n
      returning id::text`
    return rows.map((r) => r.id)
  })
  report.enqueued = outboxIds.length
  report.drain = await waitForDrain({
    sql: o.sql,
    outboxIds,
    queue: "clan_crawl",
    rabbitmqUrl: o.rabbitmqUrl,
    timeoutMs: o.drainTimeoutMs,
    pollMs: o.drainPollMs,
  })
  await refreshClanLeaderboard(o.sql)
  report.refreshed = true
  return report
}

/** The player's clans (group type 1) that still count them as active; null when Bungie would not say. */
async function findClans(bungie: RateLimitedBungie, player: LeaderboardPlayer): Promise<string[] | null> {
  const result = await bungie.call((c) => c.getGroupsForMember(player.membershipType, BigInt(player.membershipId), 0, 1), {
    maxAttempts: 4,
  })
  if (result.kind !== "ok") return null
  const inactive = result.value.areAllMembershipsInactive ?? {}
  return (result.value.results ?? [])
    .map((r) => String(r.group.groupId))
    .filter((id) => /^[1-9][0-9]{0,18}$/.test(id) && inactive[id] !== true)
}

/** CONCURRENTLY (readers keep the old rows) when the view is populated; a plain refresh otherwise. */
export async function refreshClanLeaderboard(sql: Sql): Promise<void> {
  const [view] = await sql<{ populated: boolean }[]>`
    select ispopulated as populated from pg_matviews where schemaname = 'leaderboard' and matviewname = 'clan_leaderboard'`
  if (view?.populated) await sql`refresh materialized view concurrently leaderboard.clan_leaderboard`
  else await sql`refresh materialized view leaderboard.clan_leaderboard`
}

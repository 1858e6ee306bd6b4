/**
 * Which worker consumes which queue: hermes asks here for each queue it runs. A queue without a
 * worker yet is still declared by hermes, so its messages wait instead of being dropped:
 *
 *   pgcr_cheat_check   createPgcrCheatCheckWorker with the cheat library's loader, checkInstance and
 *                      flag writer (src/lib/cheat) — wired here when that library lands
 *   instance_participant_refresh, subscription_match, subscription_delivery   subscriptions
 */
import type { AnySql } from "../lib/database/sql-types.ts"
import type { Definitions } from "../lib/definitions.ts"
import type { ConfirmedPublisher } from "../lib/messaging/confirmed-publisher.ts"
import type { QueueWorker } from "../lib/messaging/queue-worker.ts"
import type { QueueName } from "../lib/messaging/queues.ts"
import type { Logger } from "../lib/monitoring/logger.ts"
import type { PgcrBungie } from "./pgcr/fetch-pgcr.ts"
import { createPgcrBlockedWorker } from "./pgcr-blocked/pgcr-blocked.ts"
import { createPgcrClickhouseWorker } from "./pgcr-clickhouse.ts"
import { createPgcrExistsWorker } from "./pgcr-exists.ts"
import { createActivityHistoryWorker } from "./players/activity-history.ts"
import { createCharacterFillWorker } from "./players/character-fill.ts"
import { createClanCrawlWorker } from "./players/clan-crawl.ts"
import { createPlayerCrawlWorker } from "./players/player-crawl.ts"

export interface WorkerDeps {
  sql: AnySql
  /** Null when no Bungie client is configured (queues that need one then have no worker). */
  bungie: PgcrBungie | null
  defs: Definitions
  publisher: ConfirmedPublisher
  log: Logger
  /** Inserts rows into ClickHouse's instance table; null = no ClickHouse writer here. */
  clickhouseInsert: ((rows: readonly object[]) => Promise<void>) | null
  /** floodgates_recent_pgcr. */
  onFloodgateRelease(id: bigint): void
  /** player_crawl / clan_crawl skip what was crawled within this long (HERMES_RECRAWL_MINUTES; default 1 h). */
  recrawlMs?: number
  /** player_crawl looks a clan up again past this age (HERMES_CLAN_REFRESH_DAYS; default 7 days). */
  clanRefreshMs?: number
}

/** The queues that have a worker today. */
export const QUEUES_WITH_WORKERS: readonly QueueName[] = [
  "pgcr_exists",
  "pgcr_blocked",
  "pgcr_clickhouse",
  "player_crawl",
  "activity_history",
  "clan_crawl",
  "character_fill",
]

export function createQueueWorker(queue: QueueName, deps: WorkerDeps): QueueWorker | undefined {
  const log = deps.log.child({ queue })
  switch (queue) {
    case "pgcr_exists":
      return deps.bungie
        ? createPgcrExistsWorker({ sql: deps.sql, bungie: deps.bungie, defs: deps.defs, publisher: deps.publisher, log })
        : undefined
    case "pgcr_blocked":
      return deps.bungie
        ? createPgcrBlockedWorker({ sql: deps.sql, bungie: deps.bungie, defs: deps.defs, log, onReleased: deps.onFloodgateRelease })
        : undefined
    case "pgcr_clickhouse":
      return deps.clickhouseInsert ? createPgcrClickhouseWorker({ sql: deps.sql, insert: deps.clickhouseInsert, log }) : undefined
    case "player_crawl":
      return deps.bungie
        ? createPlayerCrawlWorker({ sql: deps.sql, bungie: deps.bungie, publisher: deps.publisher, log, ...windows(deps) })
        : undefined
    case "activity_history":
      return deps.bungie ? createActivityHistoryWorker({ sql: deps.sql, bungie: deps.bungie, publisher: deps.publisher, log }) : undefined
    case "clan_crawl":
      return deps.bungie
        ? createClanCrawlWorker({
            sql: deps.sql,
            bungie: deps.bungie,
            publisher: deps.publisher,
            log,
            ...(deps.recrawlMs === undefined ? {} : { recrawlMs: deps.recrawlMs }),
          })
        : undefined
    case "character_fill":
      return deps.bungie ? createCharacterFillWorker({ sql: deps.sql, bungie: deps.bungie, log }) : undefined
    default:
      return undefined
  }
}

function windows(deps: WorkerDeps): { recrawlMs?: number; clanRefreshMs?: number } {
  return {
    ...(deps.recrawlMs === undefined ? {} : { recrawlMs: deps.recrawlMs }),
    ...(deps.clanRefreshMs === undefined ? {} : { clanRefreshMs: deps.clanRefreshMs }),
  }
}

/**
 * Which worker consumes which queue: hermes asks here for each queue it runs. Every queue of the
 * table has a worker: the PGCR pipeline here, the player side in players/, the subscription stages in subscriptions/ (docs/subscriptions.md). A queue whose worker needs
 * a Bungie client (or settings) it lacks in this process gets none, and its messages wait.
 */
import { checkInstance } from "../lib/cheat/check-instance.ts"
import { DEFAULT_HEURISTICS } from "../lib/cheat/heuristics-table.ts"
import { CHEAT_CHECK_VERSION } from "../lib/cheat/reporting.ts"
import { writeCheatVerdict } from "../lib/database/cheat-flag-store.ts"
import { loadCheatInstances } from "../lib/database/cheat-input-loader.ts"
import type { AnySql } from "../lib/database/sql-types.ts"
import type { Definitions } from "../lib/definitions.ts"
import type { ConfirmedPublisher } from "../lib/messaging/confirmed-publisher.ts"
import type { QueueWorker } from "../lib/messaging/queue-worker.ts"
import type { QueueName } from "../lib/messaging/queues.ts"
import type { Logger } from "../lib/monitoring/logger.ts"
import { createLoadBatcher } from "./load-batcher.ts"
import type { PgcrBungie } from "./pgcr/fetch-pgcr.ts"
import { createPgcrBlockedWorker } from "./pgcr-blocked/pgcr-blocked.ts"
import { createPgcrCheatCheckWorker } from "./pgcr-cheat-check.ts"
import { createPgcrClickhouseWorker } from "./pgcr-clickhouse.ts"
import { createPgcrExistsWorker } from "./pgcr-exists.ts"
import { createActivityHistoryWorker } from "./players/activity-history.ts"
import { createCharacterFillWorker } from "./players/character-fill.ts"
import { createClanCrawlWorker } from "./players/clan-crawl.ts"
import { createPlayerCrawlWorker } from "./players/player-crawl.ts"
import { createClanLookup } from "./subscriptions/clan-lookup.ts"
import { createInstanceParticipantRefreshWorker } from "./subscriptions/instance-participant-refresh.ts"
import { createSubscriptionDeliveryWorker } from "./subscriptions/subscription-delivery.ts"
import { createSubscriptionMatchWorker } from "./subscriptions/subscription-match.ts"
import type { SubscriptionMetrics } from "./subscriptions/subscription-metrics.ts"

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
  /** The delivery stage's settings and metrics; null = no subscription_delivery worker here. */
  subscriptions: SubscriptionDeps | null
}

export interface SubscriptionDeps {
  metrics: SubscriptionMetrics
  /** HERMES_DISCORD_API_URL. */
  discordApiUrl: string
  /** HERMES_SUBSCRIPTION_CALLBACK_KEY. */
  deploymentKey: string | null
}

/** The queues that have a worker today. */
export const QUEUES_WITH_WORKERS: readonly QueueName[] = [
  "pgcr_exists",
  "pgcr_blocked",
  "pgcr_clickhouse",
  "pgcr_cheat_check",
  "instance_participant_refresh",
  "subscription_match",
  "subscription_delivery",
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
    case "pgcr_cheat_check":
      return createCheatCheckWorker(deps.sql, log)
    case "instance_participant_refresh":
      // Without a Bungie client, clans come from our clan tables only.
      return createInstanceParticipantRefreshWorker({
        sql: deps.sql,
        clans: createClanLookup({ sql: deps.sql, bungie: deps.bungie }),
        publisher: deps.publisher,
        log,
      })
    case "subscription_match":
      return createSubscriptionMatchWorker({ sql: deps.sql, defs: deps.defs, log })
    case "subscription_delivery":
      return deps.subscriptions
        ? createSubscriptionDeliveryWorker({
            sql: deps.sql,
            log,
            metrics: deps.subscriptions.metrics,
            discordApiUrl: deps.subscriptions.discordApiUrl,
            deploymentKey: deps.subscriptions.deploymentKey,
          })
        : undefined
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

/**
 * The cheat check as hermes runs it: the stored instance (concurrent handlers' ids read in one
 * query, load-batcher.ts), the pure check at the current version, the flag store. Blacklistings
 * are logged: they take a run off the leaderboards.
 */
export function createCheatCheckWorker(sql: AnySql, log: Logger): QueueWorker<bigint> {
  const loads = createLoadBatcher(async (ids: bigint[]) => {
    const found = await loadCheatInstances(sql, ids)
    return new Map(found.map((instance) => [instance.instanceId, instance]))
  })
  return createPgcrCheatCheckWorker({
    sql,
    load: (_sql, id) => loads.load(id),
    check: (instance) => checkInstance(instance, DEFAULT_HEURISTICS, CHEAT_CHECK_VERSION),
    async write(db, instanceId, verdict) {
      const written = await writeCheatVerdict(db, verdict)
      if (written.blacklisted) {
        log.info("cheat_check.blacklisted", { instanceId: instanceId.toString(), probability: verdict.instanceProbability })
      }
    },
  })
}

function windows(deps: WorkerDeps): { recrawlMs?: number; clanRefreshMs?: number } {
  return {
    ...(deps.recrawlMs === undefined ? {} : { recrawlMs: deps.recrawlMs }),
    ...(deps.clanRefreshMs === undefined ? {} : { clanRefreshMs: deps.clanRefreshMs }),
  }
}

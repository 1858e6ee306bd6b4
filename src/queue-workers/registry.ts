/**
 * Which worker consumes which queue: hermes asks here for each queue it runs. A queue without a
 * worker yet is still declared by hermes, so its messages wait instead of being dropped:
 *
 *   player_crawl, character_fill, activity_history, clan_crawl   the player-side workers
 *   instance_participant_refresh, subscription_match, subscription_delivery   subscriptions
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
}

/** The queues that have a worker today. */
export const QUEUES_WITH_WORKERS: readonly QueueName[] = ["pgcr_exists", "pgcr_blocked", "pgcr_clickhouse", "pgcr_cheat_check"]

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

/**
 * pgcr_exists: an instance id to make sure of (the back-fill path for ids the crawler missed).
 * Skip when stored; else fetch, process and store it exactly as atlas would (same store, one
 * transaction, same outbox side effects). A withheld PGCR (code 12) goes to pgcr_blocked, which
 * owns those; one that does not exist goes to the missed ledger with its reason; a bad PGCR is
 * ledgered, never a crash.
 */

import type { AnySql } from "../lib/database/sql-types.ts"
import type { Definitions } from "../lib/definitions.ts"
import type { ConfirmedPublisher } from "../lib/messaging/confirmed-publisher.ts"
import { type Outcome, ok, type QueueWorker, retry } from "../lib/messaging/queue-worker.ts"
import { RETRY_COUNT_HEADER } from "../lib/messaging/retry-schedule.ts"
import { encodeIdMessage } from "../lib/messaging/wire-format.ts"
import type { Logger } from "../lib/monitoring/logger.ts"
import { fetchPgcr, type PgcrBungie } from "./pgcr/fetch-pgcr.ts"
import { isStored, recordLedger, resolveLedger } from "./pgcr/ledger.ts"
import { createStoreBatcher } from "./pgcr/store-batcher.ts"

export interface PgcrExistsDeps {
  sql: AnySql
  bungie: PgcrBungie
  defs: Definitions
  publisher: ConfirmedPublisher
  log: Logger
  now?: () => number
}

const QUEUE = "pgcr_exists"
const HOUR = 60 * 60_000

export function createPgcrExistsWorker(deps: PgcrExistsDeps): QueueWorker<bigint> {
  const now = deps.now ?? Date.now
  const store = createStoreBatcher(deps.sql, { crawler: QUEUE, now })
  return {
    queue: QUEUE,
    async handle(delivery): Promise<Outcome> {
      const id = delivery.value
      if (await isStored(deps.sql, id)) return ok
      const fetched = await fetchPgcr(id, { bungie: deps.bungie, defs: deps.defs, signal: delivery.signal })
      switch (fetched.kind) {
        case "raid": {
          const stored = await store.store(fetched.item)
          if (stored === "unknownHash") deps.log.warn("pgcr_exists.unknown_hash", { id, hash: fetched.item.instance.hash })
          return ok
        }
        case "nonRaid":
          if (fetched.unknownRaidHash) deps.log.warn("pgcr_exists.unknown_raid_hash", { id, hash: fetched.hash })
          await resolveLedger(deps.sql, id, "nonRaid")
          return ok
        case "blocked":
          await deps.publisher.publish("pgcr_blocked", encodeIdMessage("instanceId", id, { blockedAt: new Date(now()).toISOString() }), {
            contentType: "application/json",
            headers: { [RETRY_COUNT_HEADER]: 0 },
          })
          return ok
        case "notFound":
          await recordLedger(deps.sql, QUEUE, {
            id: id.toString(),
            reason: "notFound",
            lastResult: "notFound",
            httpStatus: fetched.meta.httpStatus,
            errorCode: fetched.meta.errorCode,
            attempts: 1,
            nextRetryAt: now() + HOUR,
          })
          return ok
        case "badFormat":
          await recordLedger(deps.sql, QUEUE, {
            id: id.toString(),
            reason: "badFormat",
            lastResult: `badFormat: ${fetched.reason}`.slice(0, 500),
            httpStatus: fetched.meta?.httpStatus ?? null,
            errorCode: fetched.meta?.errorCode ?? null,
            attempts: 1,
            nextRetryAt: now() + HOUR / 2,
          })
          return ok
        case "incomplete":
          return retry(fetched.reason)
        case "disabled":
          return { kind: "pause", reason: "SystemDisabled", system: "Destiny2" }
        case "transient":
        case "fatal":
          return retry(`${fetched.kind}: ${fetched.reason}`)
      }
    },
  }
}

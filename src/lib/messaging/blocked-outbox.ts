/**
 * Withheld PGCRs (code 12) leave a store transaction as `queue.pgcr_blocked` outbox rows: with a
 * broker the relay publishes them to the pgcr_blocked queue (its worker owns them), without one
 * the relay writes them into the missed ledger as `blocked` (outbox-relays.ts). Either way the id
 * is resolved for the crawler the moment the row commits.
 */

import type { AnyTx } from "../database/sql-types.ts"
import { type PgcrBlockedPayload, TOPICS } from "./outbox-topics.ts"

/** Writes one outbox row per withheld PGCR in the caller's transaction. */
export async function enqueueBlockedPgcrs(tx: AnyTx, items: readonly PgcrBlockedPayload[]): Promise<void> {
  if (items.length === 0) return
  await tx.unsafe(
    `insert into crawl.outbox (topic, payload)
     select $1, convert_to(p, 'UTF8') from unnest($2::text[]) with ordinality as t(p, n) order by n`,
    [TOPICS.pgcrBlocked, items.map((item) => JSON.stringify(item))],
  )
}

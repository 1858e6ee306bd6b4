/**
 * Where nemesis's rechecks go: pgcr_cheat_check messages (`{"instanceId":"<decimal>"}`, the
 * store outbox's format). With a broker, straight to RabbitMQ with publisher confirms: the job
 * reports a number the broker has confirmed, and hermes starts on them while the job still runs.
 * Without one (RABBITMQ_URL empty), as outbox rows the relay publishes later.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import { mapBounded } from "../../lib/jobs/fetch-and-process.ts"
import { enqueuePayloads } from "../../lib/jobs/queue-outbox.ts"
import type { ConfirmedPublisher } from "../../lib/messaging/confirmed-publisher.ts"

export const RECHECK_QUEUE = "pgcr_cheat_check"
/** Messages awaiting their confirm at once. */
const PUBLISH_IN_FLIGHT = 64
/** Outbox rows per transaction. */
const OUTBOX_BATCH = 5_000

export function publisherRecheckSink(publisher: ConfirmedPublisher): (ids: readonly string[]) => Promise<number> {
  return async (ids) => {
    let confirmed = 0
    await mapBounded(ids, PUBLISH_IN_FLIGHT, async (id) => {
      await publisher.publish(RECHECK_QUEUE, Buffer.from(JSON.stringify({ instanceId: id })), { contentType: "application/json" })
      confirmed++
    })
    return confirmed
  }
}

export function outboxRecheckSink(sql: AnySql): (ids: readonly string[]) => Promise<number> {
  return async (ids) => {
    let written = 0
    for (let start = 0; start < ids.length; start += OUTBOX_BATCH) {
      const batch = ids.slice(start, start + OUTBOX_BATCH).map((id) => ({ instanceId: id }))
      written += (await sql.begin((tx) => enqueuePayloads(tx, RECHECK_QUEUE, batch))) as number
    }
    return written
  }
}

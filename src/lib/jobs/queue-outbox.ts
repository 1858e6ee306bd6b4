/**
 * Queue messages from jobs, as transactional outbox rows: a job that puts work on a queue writes
 * `queue.<name>` rows in its own transaction and the relay publishes them after commit (with
 * confirms), so a job needs no broker at run time and never loses a message. Payloads are JSON
 * objects with ids as decimal strings (messaging/outbox-topics.ts), one id field per message.
 */
import type { AnyTx } from "../database/sql-types.ts"

/** The queues jobs publish to (names of the queue table) and the id field of each message. */
export const JOB_QUEUES = {
  activity_history: "membershipId",
  clan_crawl: "groupId",
  player_crawl: "membershipId",
  pgcr_exists: "instanceId",
} as const

export type JobQueue = keyof typeof JOB_QUEUES

/** The outbox topic of a queue. */
export function topicOf(queue: string): string {
  return `queue.${queue}`
}

/** Writes one outbox row per id (decimal strings), in the caller's transaction. Returns the count. */
export async function enqueueIds(tx: AnyTx, queue: JobQueue, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0
  const field = JOB_QUEUES[queue]
  await tx.unsafe(
    `insert into crawl.outbox (topic, payload)
     select $1, convert_to(json_build_object($2::text, id::text)::text, 'UTF8')
     from unnest($3::bigint[]) with ordinality as t(id, n) order by n`,
    [topicOf(queue), field, [...ids]],
  )
  return ids.length
}

/** Writes outbox rows with whole JSON payloads (e.g. pgcr_blocked's ledger fields). */
export async function enqueuePayloads(tx: AnyTx, queue: string, payloads: readonly object[]): Promise<number> {
  if (payloads.length === 0) return 0
  await tx.unsafe(
    `insert into crawl.outbox (topic, payload)
     select $1, convert_to(p, 'UTF8') from unnest($2::text[]) with ordinality as t(p, n) order by n`,
    [topicOf(queue), payloads.map((p) => JSON.stringify(p))],
  )
  return payloads.length
}

/**
 * Transactional-outbox relay: claims due rows of one topic prefix, delivers them to a sink, and
 * deletes them only after the sink confirmed. Delivery is at-least-once:
 *
 * - The claim (SELECT ... FOR UPDATE SKIP LOCKED) and the delete run in one transaction that stays
 *   open while the sink delivers. If the relay dies in between (crash, lost connection), the
 *   transaction rolls back, the row lock goes away and the row is delivered again later. Nothing
 *   is lost; a row can be delivered twice, so consumers are idempotent: ClickHouse rows collapse
 *   in the ReplacingMergeTree, queue messages carry the deterministic message id "outbox-<id>".
 * - Several relays may run: SKIP LOCKED gives each its own rows. For ClickHouse, where a stale
 *   row delivered after a fresher one would win, `exclusive` serialises relays of the prefix with
 *   a transaction-scoped advisory lock (a second relay skips its turn).
 * - A failed row gets attempts + 1 and next_attempt_at = now + jittered exponential backoff
 *   (bounded); it is never dropped.
 */
import type { AnySql } from "../database/sql-types.ts"
import type { Logger } from "../monitoring/logger.ts"
import { type BackoffOptions, computeBackoffMs, DEFAULT_OUTBOX_BACKOFF } from "./backoff.ts"
import type { OutboxRow, OutboxSink } from "./outbox-sink.ts"

export interface OutboxRelayOptions {
  sql: AnySql
  sink: OutboxSink
  /** Topic prefix this relay owns, e.g. "clickhouse." or "queue.". */
  topicPrefix: string
  batchSize?: number
  exclusive?: boolean
  backoff?: BackoffOptions
  /** Idle wait between polls when nothing was due. */
  pollMs?: number
  logger?: Logger
  random?: () => number
}

export interface RelayRunResult {
  claimed: number
  delivered: number
  failed: number
  /** False when an exclusive relay found another one holding the prefix. */
  ran: boolean
}

export interface OutboxRelay {
  /** Claims and delivers one batch. */
  runOnce(): Promise<RelayRunResult>
  /** Runs batches until stop(); drains immediately while batches come back full. */
  start(): void
  /** Stops the loop and waits for the batch in flight. */
  stop(): Promise<void>
}

interface ClaimedRow {
  id: string
  topic: string
  payload: Uint8Array
  content_type: string
  attempts: number
}

/** Creates a relay; see the module comment. */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 500
  const backoff = options.backoff ?? DEFAULT_OUTBOX_BACKOFF
  const random = options.random ?? Math.random
  const pollMs = options.pollMs ?? 500
  const log = options.logger?.child({ component: "outbox-relay", prefix: options.topicPrefix, sink: options.sink.name })
  let running = false
  let loop: Promise<void> | null = null
  let wake: (() => void) | null = null

  async function runOnce(): Promise<RelayRunResult> {
    return options.sql.begin(async (tx) => {
      if (options.exclusive) {
        const [lock] = await tx.unsafe<{ ok: boolean }[]>("select pg_try_advisory_xact_lock(hashtext($1)) as ok", [
          `outbox-relay:${options.topicPrefix}`,
        ])
        if (!lock?.ok) return { claimed: 0, delivered: 0, failed: 0, ran: false }
      }
      const claimed = await tx.unsafe<ClaimedRow[]>(
        `select id::text as id, topic, payload, content_type, attempts from crawl.outbox
         where delivered_at is null and next_attempt_at <= now() and starts_with(topic, $1)
         order by next_attempt_at, id
         limit $2
         for update skip locked`,
        [options.topicPrefix, batchSize],
      )
      if (claimed.length === 0) return { claimed: 0, delivered: 0, failed: 0, ran: true }
      const rows: OutboxRow[] = claimed.map((r) => ({
        id: r.id,
        topic: r.topic,
        payload: r.payload,
        contentType: r.content_type,
        attempts: r.attempts,
      }))
      let failed: Map<string, string>
      try {
        failed = (await options.sink.deliver(rows)).failed
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err)
        failed = new Map(rows.map((r) => [r.id, reason]))
      }
      const deliveredIds = rows.filter((r) => !failed.has(r.id)).map((r) => r.id)
      if (deliveredIds.length > 0) {
        await tx.unsafe("delete from crawl.outbox where id = any($1::bigint[])", [deliveredIds])
      }
      if (failed.size > 0) {
        const retry = rows.filter((r) => failed.has(r.id))
        await tx.unsafe(
          `update crawl.outbox o set attempts = o.attempts + 1,
             next_attempt_at = now() + f.delay_ms * interval '1 millisecond', last_error = left(f.reason, 1000)
           from unnest($1::bigint[], $2::int[], $3::text[]) as f(id, delay_ms, reason)
           where o.id = f.id`,
          [
            retry.map((r) => r.id),
            retry.map((r) => computeBackoffMs(r.attempts, backoff, random)),
            retry.map((r) => failed.get(r.id) ?? ""),
          ],
        )
        log?.warn("outbox_delivery_failed", { failed: failed.size, claimed: rows.length, reason: [...failed.values()][0] })
      }
      return { claimed: rows.length, delivered: deliveredIds.length, failed: failed.size, ran: true }
    })
  }

  async function runLoop(): Promise<void> {
    let errors = 0
    while (running) {
      let waitMs = pollMs
      try {
        const result = await runOnce()
        errors = 0
        if (result.claimed === batchSize && result.failed === 0) continue
      } catch (err) {
        // Postgres unreachable or a bug: back off, keep the rows (they stay in the outbox).
        errors++
        waitMs = computeBackoffMs(errors, { baseMs: pollMs, maxMs: 30_000 }, random)
        log?.error("outbox_relay_error", { error: err instanceof Error ? err.message : String(err), errors })
      }
      // stop() during the batch found no sleep to cut short: do not start one.
      if (!running) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs * (0.8 + random() * 0.4))
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = null
    }
  }

  return {
    runOnce,
    start() {
      if (running) return
      running = true
      loop = runLoop()
    },
    async stop() {
      running = false
      wake?.()
      await loop
      loop = null
    },
  }
}

/**
 * Waiting until the clan_crawl messages hera wrote are done, bounded: first its outbox rows must
 * be relayed (the relay deletes a row once RabbitMQ confirmed it), then the queue must read empty
 * on a passive declare (which fails instead of creating a missing queue) on consecutive polls, so
 * the workers' last messages are through before the clan leaderboard is refreshed. Without a
 * broker the messages wait in the outbox until one is configured: there is nothing to wait for.
 */
import { Connection } from "rabbitmq-client"
import type { Sql } from "../../lib/database/postgres.ts"

export interface DrainOptions {
  sql: Sql
  outboxIds: readonly string[]
  queue: string
  rabbitmqUrl: string | null
  timeoutMs: number
  pollMs: number
  /** Consecutive empty reads of the queue that count as drained. */
  emptyPolls?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export type DrainResult =
  | { drained: true; waitedMs: number }
  | { drained: false; waitedMs: number; reason: "noBroker" | "timeout"; pendingOutbox: number; queueDepth: number | null }

export async function waitForDrain(o: DrainOptions): Promise<DrainResult> {
  const now = o.now ?? Date.now
  const sleep = o.sleep ?? ((ms: number) => Bun.sleep(ms))
  const started = now()
  const pendingOutbox = async () => {
    const [row] = await o.sql<{ n: number }[]>`select count(*)::int as n from crawl.outbox where id = any(${[...o.outboxIds]}::bigint[])`
    return row?.n ?? 0
  }
  if (o.rabbitmqUrl === null)
    return { drained: false, waitedMs: 0, reason: "noBroker", pendingOutbox: await pendingOutbox(), queueDepth: null }
  const connection = new Connection({ url: o.rabbitmqUrl, retryLow: 1_000, retryHigh: 5_000 })
  connection.on("error", () => {})
  try {
    let empty = 0
    let depth: number | null = null
    let pending = await pendingOutbox()
    for (;;) {
      if (pending === 0) {
        depth = await readDepth(connection, o.queue)
        empty = depth === 0 ? empty + 1 : 0
        if (empty >= (o.emptyPolls ?? 2)) return { drained: true, waitedMs: now() - started }
      }
      if (now() - started >= o.timeoutMs) {
        return { drained: false, waitedMs: now() - started, reason: "timeout", pendingOutbox: pending, queueDepth: depth }
      }
      await sleep(o.pollMs)
      if (pending > 0) pending = await pendingOutbox()
    }
  } finally {
    await connection.close().catch(() => {})
  }
}

/** Ready messages of a queue; a queue that does not exist holds none. */
async function readDepth(connection: Connection, queue: string): Promise<number> {
  try {
    const ok = await connection.queueDeclare({ queue, passive: true })
    return ok.messageCount
  } catch (error) {
    if ((error as { code?: string }).code === "NOT_FOUND") return 0
    throw error
  }
}

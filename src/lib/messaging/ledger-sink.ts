/**
 * Without a broker, withheld PGCRs (`queue.pgcr_blocked` outbox rows) go into the missed ledger
 * as `blocked`, exactly the row atlas's writer used to write itself; the ledger's replayer (hades)
 * retries them. A redelivery after a relay crash upserts the same row again.
 */
import { type LedgerEntry, upsertMissedLedger } from "../database/missed-ledger.ts"
import type { AnySql } from "../database/sql-types.ts"
import type { DeliveryResult, OutboxRow, OutboxSink } from "./outbox-sink.ts"
import type { PgcrBlockedPayload } from "./outbox-topics.ts"
import { decodeJsonObject, parseId } from "./wire-format.ts"

/** Blocked rows are retried by the ledger's replayer after this when the payload names no time. */
const DEFAULT_BLOCKED_RETRY_MS = 10 * 60_000

export function createBlockedLedgerSink(sql: AnySql): OutboxSink {
  return {
    name: "ledger",
    async deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult> {
      const failed = new Map<string, string>()
      const byCrawler = new Map<string, LedgerEntry[]>()
      for (const row of rows) {
        const entry = toLedgerEntry(row)
        if (typeof entry === "string") {
          failed.set(row.id, entry)
          continue
        }
        const list = byCrawler.get(entry.crawler) ?? []
        list.push(entry.entry)
        byCrawler.set(entry.crawler, list)
      }
      await sql.begin(async (tx) => {
        for (const [crawler, entries] of byCrawler) await upsertMissedLedger(tx, crawler, entries)
      })
      return { failed }
    },
  }
}

function toLedgerEntry(row: OutboxRow): { crawler: string; entry: LedgerEntry } | string {
  const decoded = decodeJsonObject(row.payload)
  if (!decoded.ok) return `unreadable pgcr_blocked payload: ${decoded.reason}`
  const p = decoded.value as Partial<Record<keyof PgcrBlockedPayload, unknown>>
  const id = parseId(typeof p.instanceId === "string" ? p.instanceId : "", "instanceId")
  if (!id.ok) return id.reason
  const retryAt = typeof p.retryAt === "string" ? Date.parse(p.retryAt) : Number.NaN
  const blockedAt = typeof p.blockedAt === "string" ? Date.parse(p.blockedAt) : Date.now()
  return {
    crawler: typeof p.crawler === "string" ? p.crawler : "relay",
    entry: {
      id: id.value.toString(),
      reason: "blocked",
      lastResult: typeof p.lastResult === "string" ? p.lastResult : "blocked",
      httpStatus: asIntOrNull(p.httpStatus),
      errorCode: asIntOrNull(p.errorCode) ?? 12,
      attempts: asIntOrNull(p.attempts) ?? 1,
      nextRetryAt: p.retryAt === null ? null : Number.isFinite(retryAt) ? retryAt : blockedAt + DEFAULT_BLOCKED_RETRY_MS,
    },
  }
}

/** Numbers arrive as their source text (wire-format keeps them exact). */
function asIntOrNull(value: unknown): number | null {
  if (typeof value !== "string" || !/^-?\d{1,9}$/.test(value)) return null
  return Number(value)
}

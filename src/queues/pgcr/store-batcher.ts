/**
 * Gathers the raids of concurrent handlers into one store transaction. A single-instance store
 * costs ~30 ms (staging tables, aggregates, outbox) and the store lock serialises writers, so one
 * transaction per message would cap a queue near 30 raids/s whatever its worker count; batched,
 * the same transaction stores dozens. Each caller still learns its own raid's outcome, and only
 * after COMMIT (its message is acked after that).
 *
 * A batch that fails is stored again one raid per transaction, so a poison raid fails alone (its
 * handler throws and the message is retried) and the others commit.
 */
import { type StoreItem, storeInTransaction } from "../../lib/database/instance-store.ts"
import { type LedgerEntry, resolveMissedLedger, upsertMissedLedger } from "../../lib/database/missed-ledger.ts"
import type { AnySql, AnyTx } from "../../lib/database/sql-types.ts"
import { withInstanceStoreLock } from "../../lib/database/store-lock.ts"

export type StoreOutcome = "stored" | "duplicate" | "unknownHash"

export interface StoreBatcher {
  store(item: StoreItem): Promise<StoreOutcome>
}

interface Pending {
  item: StoreItem
  resolve(outcome: StoreOutcome): void
  reject(error: unknown): void
}

export interface StoreBatcherOptions {
  /** Ledger `crawler` of raids whose hash the definitions do not know yet. */
  crawler: string
  maxItems?: number
  /** How long the first raid of a batch waits for company (ms). */
  gatherMs?: number
  now?: () => number
}

export function createStoreBatcher(sql: AnySql, o: StoreBatcherOptions): StoreBatcher {
  const maxItems = o.maxItems ?? 64
  const gatherMs = o.gatherMs ?? 5
  const now = o.now ?? Date.now
  const waiting: Pending[] = []
  let timer: ReturnType<typeof setTimeout> | null = null
  let writing: Promise<void> | null = null

  const schedule = () => {
    if (writing || waiting.length === 0) return
    if (waiting.length >= maxItems) {
      start()
      return
    }
    timer ??= setTimeout(() => {
      timer = null
      start()
    }, gatherMs)
  }

  const start = () => {
    if (writing || waiting.length === 0) return
    if (timer) {
      clearTimeout(timer)
      timer = null
    }
    const batch = waiting.splice(0, maxItems)
    writing = write(batch).finally(() => {
      writing = null
      schedule()
    })
  }

  async function write(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await withInstanceStoreLock(sql, (tx) =>
        storeBatch(
          tx,
          batch.map((p) => p.item),
        ),
      )
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!)
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error)
        return
      }
      for (const p of batch) {
        try {
          const [outcome] = await withInstanceStoreLock(sql, (tx) => storeBatch(tx, [p.item]))
          p.resolve(outcome!)
        } catch (single) {
          p.reject(single)
        }
      }
    }
  }

  async function storeBatch(tx: AnyTx, items: StoreItem[]): Promise<StoreOutcome[]> {
    const report = await storeInTransaction(tx, items)
    const unknown = new Set(report.unknownHashIds)
    const stored = new Set(report.storedIds)
    if (unknown.size > 0) {
      // The seed does not know these raids' hashes yet: parked in the ledger until it does.
      const entries: LedgerEntry[] = [...unknown].map((id) => ({
        id,
        reason: "storeFailed",
        lastResult: "storeFailed: hash not in definitions.activity_version",
        httpStatus: 200,
        errorCode: 1,
        attempts: 1,
        nextRetryAt: now() + 60 * 60_000,
      }))
      await upsertMissedLedger(tx, o.crawler, entries)
    }
    const settled = items.map((i) => i.instance.instanceId).filter((id) => !unknown.has(id))
    await resolveMissedLedger(tx, settled, "raid")
    return items.map((i) => {
      const id = i.instance.instanceId
      return unknown.has(id) ? "unknownHash" : stored.has(id) ? "stored" : "duplicate"
    })
  }

  return {
    store(item) {
      return new Promise<StoreOutcome>((resolve, reject) => {
        waiting.push({ item, resolve, reject })
        schedule()
      })
    },
  }
}

/**
 * Gathers the loads of concurrent handlers into one query. The cheat check's input query costs
 * a round trip plus per-call overhead that dwarfs the check itself (bench `cheat`: ~700 single
 * loads/s against ~2,000/s in batches of 50), and hermes runs several handlers per worker at once,
 * so their ids are read together: the first id of a batch waits at most `gatherMs` for company,
 * a full batch goes at once. Batches run in parallel (reads take no lock). A failed batch fails
 * each of its callers (their messages are retried by hermes).
 */

export interface LoadBatcher<K, V> {
  load(key: K): Promise<V | null>
}

export interface LoadBatcherOptions {
  maxItems?: number
  /** How long the first key of a batch waits for company (ms). */
  gatherMs?: number
}

interface Pending<K, V> {
  key: K
  resolve(value: V | null): void
  reject(error: unknown): void
}

/** `loadMany` returns what it found; keys it leaves out resolve to null. */
export function createLoadBatcher<K, V>(loadMany: (keys: K[]) => Promise<Map<K, V>>, o: LoadBatcherOptions = {}): LoadBatcher<K, V> {
  const maxItems = Math.max(1, o.maxItems ?? 32)
  const gatherMs = o.gatherMs ?? 2
  let waiting: Pending<K, V>[] = []
  let timer: ReturnType<typeof setTimeout> | null = null

  const flush = () => {
    if (timer) {
      clearTimeout(timer)
      timer = null
    }
    const batch = waiting
    waiting = []
    if (batch.length === 0) return
    loadMany(batch.map((p) => p.key)).then(
      (found) => {
        for (const p of batch) p.resolve(found.get(p.key) ?? null)
      },
      (error) => {
        for (const p of batch) p.reject(error)
      },
    )
  }

  return {
    load(key) {
      return new Promise<V | null>((resolve, reject) => {
        waiting.push({ key, resolve, reject })
        if (waiting.length >= maxItems) flush()
        else timer ??= setTimeout(flush, gatherMs)
      })
    },
  }
}

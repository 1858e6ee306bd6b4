/**
 * The fetch + JSON.parse ceiling: F Worker threads × L lanes over a shared id cursor, no
 * processing, no storage. Used by `ceiling`, by `backfill` (its in-run denominator) and by the
 * real-target probe.
 */

import type { CeilingWorkerInit, CeilingWorkerResult } from "./ceiling-worker.ts"
import { type Distribution, summarize } from "./stats.ts"

export interface FetchParseOptions {
  url: string
  apiKey: string
  fromId: bigint
  /** Exclusive. */
  toId: bigint
  fetchers: number
  /** Total concurrency over all fetchers (split evenly, like Atlas' lanes). */
  concurrency: number
  seconds: number
  paceMs?: number
}

export interface FetchParseResult {
  fetchers: number
  lanesPerFetcher: number
  ok: number
  other: number
  seconds: number
  pgcrPerSecond: number
  meanBytes: number
  latencyMs: Distribution
}

const WORKER_URL = new URL("./ceiling-worker.ts", import.meta.url).href

export async function runFetchParse(o: FetchParseOptions): Promise<FetchParseResult> {
  const cursor = new SharedArrayBuffer(8)
  new BigInt64Array(cursor)[0] = o.fromId
  const lanes = Math.max(1, Math.ceil(o.concurrency / o.fetchers))
  const deadline = Date.now() + o.seconds * 1000
  const results = await Promise.all(
    Array.from({ length: o.fetchers }, () => {
      const worker = new Worker(WORKER_URL)
      return new Promise<CeilingWorkerResult>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<CeilingWorkerResult>) => {
          resolve(event.data)
          worker.terminate()
        }
        worker.onerror = (event) => reject(new Error(`ceiling worker failed: ${event.message}`))
        const init: CeilingWorkerInit = {
          url: o.url,
          apiKey: o.apiKey,
          cursor,
          endId: o.toId.toString(),
          lanes,
          deadline,
          paceMs: o.paceMs,
        }
        worker.postMessage(init)
      })
    }),
  )
  const ok = results.reduce((n, r) => n + r.ok, 0)
  const other = results.reduce((n, r) => n + r.other, 0)
  const bytes = results.reduce((n, r) => n + r.bytes, 0)
  const start = Math.min(...results.map((r) => r.firstStart))
  const end = Math.max(...results.map((r) => r.lastEnd))
  const seconds = Math.max(1e-3, (end - start) / 1000)
  const latencies = results.flatMap((r) => Array.from(r.latencies))
  return {
    fetchers: o.fetchers,
    lanesPerFetcher: lanes,
    ok,
    other,
    seconds,
    pgcrPerSecond: ok / seconds,
    meanBytes: Math.round(bytes / Math.max(1, ok + other)),
    latencyMs: summarize(latencies),
  }
}

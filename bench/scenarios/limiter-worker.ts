/**
 * Worker for `limiter`: Atlas' fetch path without processing or storage — the shared limiter
 * (attached from the SharedArrayBuffer) and the single-attempt PGCR attempter bound to the
 * source addresses. One permit per HTTP attempt, released with its outcome, as in fetch-loop.ts.
 */
import { createPgcrAttempter } from "../../src/apps/atlas/pgcr-attempt.ts"
import { attachLimiter, outcomeFromResult } from "../../src/lib/ratelimit/index.ts"

export interface LimiterWorkerInit {
  url: string
  apiKey: string
  limiter: SharedArrayBuffer
  cursor: SharedArrayBuffer
  sourceAddresses: string[]
  lanes: number
  deadline: number
}

export interface LimiterWorkerResult {
  type: "done"
  byKind: Record<string, number>
}

declare const self: Worker

self.onmessage = async (event: MessageEvent<LimiterWorkerInit>) => {
  const init = event.data
  const limiter = attachLimiter(init.limiter)
  const cursor = new BigInt64Array(init.cursor)
  const attempter = createPgcrAttempter({
    baseUrl: init.url,
    apiKey: init.apiKey,
    timeoutMs: 15_000,
    sourceAddresses: init.sourceAddresses,
  })
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(new Error("deadline")), Math.max(0, init.deadline - Date.now()))
  const byKind: Record<string, number> = {}
  const lane = async () => {
    while (!stop.signal.aborted) {
      let permit: Awaited<ReturnType<typeof limiter.acquire>>
      try {
        permit = await limiter.acquire(stop.signal)
      } catch {
        return
      }
      const id = Atomics.add(cursor, 0, 1n)
      const result = await attempter.attempt(id, permit.addressIndex, 0)
      permit.release(outcomeFromResult(result))
      byKind[result.kind] = (byKind[result.kind] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: init.lanes }, lane))
  clearTimeout(timer)
  attempter.close()
  self.postMessage({ type: "done", byKind } satisfies LimiterWorkerResult)
}

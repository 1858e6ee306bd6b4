/**
 * Worker for `limiter`: Atlas' fetch path without processing or storage — the rate-limited client
 * (the shared limiter attached from the SharedArrayBuffer, one client per source address), one
 * permit per request, exactly as the fetchers use it.
 */
import { createRateLimitedBungie } from "../../src/lib/bungie/rate-limited.ts"
import { attachLimiter } from "../../src/lib/ratelimit/index.ts"

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
  const bungie = createRateLimitedBungie({
    limiter: attachLimiter(init.limiter),
    baseUrl: init.url,
    apiKey: init.apiKey,
    timeoutMs: 15_000,
    sourceAddresses: init.sourceAddresses,
  })
  const cursor = new BigInt64Array(init.cursor)
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(new Error("deadline")), Math.max(0, init.deadline - Date.now()))
  const byKind: Record<string, number> = {}
  const lane = async () => {
    while (!stop.signal.aborted) {
      let kind: string
      try {
        const { result } = await bungie.attempt((client) => client.getPgcr(Atomics.add(cursor, 0, 1n)), { signal: stop.signal })
        kind = result.kind
      } catch {
        return
      }
      byKind[kind] = (byKind[kind] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: init.lanes }, lane))
  clearTimeout(timer)
  bungie.close()
  self.postMessage({ type: "done", byKind } satisfies LimiterWorkerResult)
}

/**
 * A fetcher thread: attaches the shared id space and limiter, builds the rate-limited client over
 * its source addresses and runs the FetchLoop. Raids and ledger rows go to the pg-writer over its
 * own MessagePort; acks and compact stats go to the coordinator. Closing drains the loop: in-flight
 * requests finish, claimed-but-unfetched ids stay unresolved (below the checkpoint).
 */
import { createRateLimitedBungie } from "../../../lib/bungie/rate-limited.ts"
import { createViaZeusBungie } from "../../../lib/bungie/via-zeus.ts"
import { loadDefinitions } from "../../../lib/definitions.ts"
import { attachLimiter } from "../../../lib/ratelimit/index.ts"
import { defineWorker } from "../../../lib/runtime/worker-thread.ts"
import { IdSpace } from "../shared/id-space.ts"
import type { FetcherInit, FetcherToMain, MainToFetcher } from "../shared/messages.ts"
import { registerAtlasWorkerMetrics } from "../shared/metrics.ts"
import { FetchLoop } from "./fetch-loop.ts"

export function runFetcherThread(): void {
  defineWorker<FetcherInit, MainToFetcher, FetcherToMain>((init, scope) => {
    const bungie =
      init.viaZeusUrl === null
        ? createRateLimitedBungie({
            limiter: attachLimiter(init.limiter),
            baseUrl: init.baseUrl,
            apiKey: init.apiKey,
            timeoutMs: init.timeoutMs,
            sourceAddresses: init.sourceAddresses,
          })
        : createViaZeusBungie({ zeusUrl: init.viaZeusUrl, client: "atlas", timeoutMs: init.timeoutMs })
    const loop = new FetchLoop({
      worker: init.worker,
      space: new IdSpace(init.idSpace),
      source: bungie,
      defs: loadDefinitions(),
      writer: init.writerPort,
      report: (message, transfer) => scope.post(message, transfer),
      lanes: init.lanes,
      blockSize: init.blockSize,
      writerQueueBound: init.writerQueueBound,
      retryQueueBound: init.retryQueueBound,
      ...(init.policy === undefined ? {} : { policy: init.policy }),
      log: scope.log,
      metrics: registerAtlasWorkerMetrics(scope.metrics),
      addressNames: init.addressNames,
    })
    const running = loop.run()
    return {
      onMessage(message) {
        if (message.type === "resume") loop.resume(message.ids, message.since)
        else if (message.type === "handOffHoles") loop.handOffHoles()
        else loop.dropRange(message.from, message.to)
      },
      async close() {
        loop.drain()
        await running
        bungie.close()
      },
    }
  })
}

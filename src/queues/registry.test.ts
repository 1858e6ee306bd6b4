import { expect, test } from "bun:test"
import { Registry } from "prom-client"
import type { AnySql } from "../lib/database/sql-types.ts"
import { loadDefinitions } from "../lib/definitions.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { createQueueWorker, QUEUES_WITH_WORKERS, type WorkerDeps } from "./registry.ts"
import { registerSubscriptionMetrics } from "./subscriptions/subscription-metrics.ts"

const deps: WorkerDeps = {
  sql: (() => {
    throw new Error("no database in this test")
  }) as unknown as AnySql,
  bungie: { call: async () => ({ kind: "transient", reason: "none", meta: null as never }) },
  defs: loadDefinitions(),
  publisher: { publish: async () => {}, close: async () => {} },
  log: createLogger({ level: "silent" }),
  clickhouseInsert: async () => {},
  onFloodgateRelease: () => {},
  subscriptions: { metrics: registerSubscriptionMetrics(new Registry()), discordApiUrl: "http://127.0.0.1:9/api", deploymentKey: null },
}

test("every queue listed as having a worker gets one for that queue; the player-side four are among them", () => {
  for (const queue of QUEUES_WITH_WORKERS) expect(createQueueWorker(queue, deps)?.queue).toBe(queue)
  for (const queue of ["player_crawl", "character_fill", "activity_history", "clan_crawl"] as const) {
    expect(QUEUES_WITH_WORKERS).toContain(queue)
    // They call Bungie: without a client there is no worker (hermes then refuses to start them).
    expect(createQueueWorker(queue, { ...deps, bungie: null })).toBeUndefined()
  }
})

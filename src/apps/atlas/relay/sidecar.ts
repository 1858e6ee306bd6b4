/**
 * Runs the outbox relays beside the crawl, as an Atlas sidecar: in the relay thread (production:
 * the embedded ClickHouse engine then lives in that thread alone), or inline on the calling thread
 * with a caller's ClickHouse client (tests, whose process already owns the embedded engine —
 * libchdb cannot be used from two threads of one process).
 */
import type { ClickHouseClient } from "@clickhouse/client"
import type { Sql } from "../../../lib/database/postgres.ts"
import { type OutboxRelays, startOutboxRelays } from "../../../lib/messaging/outbox-relays.ts"
import type { Logger, LogLevel } from "../../../lib/monitoring/logger.ts"
import type { MetricsSnapshot } from "../../../lib/monitoring/worker-metrics.ts"
import { spawnWorker } from "../../../lib/runtime/worker-thread.ts"
import type { MainToRelay, RelayInit, RelayToMain } from "../shared/messages.ts"
import { RELAY_THREAD_URL } from "../shared/thread-urls.ts"

/** A service started before the crawl and stopped after it (last, so it delivers what the crawl stored). */
export interface AtlasSidecar {
  name: string
  stop(): Promise<void>
}

export interface RelayThreadOptions extends RelayInit {
  log: Logger
  logLevel: LogLevel
  /** The thread trims its heap this often (ms; 0: never). */
  heapTrimMs: number
  /** The thread's metrics snapshots (its heap trims), for the crawl's /metrics. */
  onMetrics?(snapshot: MetricsSnapshot): void
}

export function startRelayThread(o: RelayThreadOptions): AtlasSidecar {
  const { log, logLevel, heapTrimMs, onMetrics, ...init } = o
  const thread = spawnWorker<RelayInit, MainToRelay, RelayToMain>(RELAY_THREAD_URL, init, {
    identity: { app: "atlas", thread: "relay", logLevel, heapTrimMs },
    onMessage: (message) => {
      if (message.attempt === 1) log.warn("atlas.relay.clickhouse_unavailable", { reason: message.reason, setting: "CLICKHOUSE_URL" })
    },
    onCrash: (reason) => log.error("atlas.relay.crashed", { reason }),
    ...(onMetrics === undefined ? {} : { onMetrics }),
  })
  return {
    name: "relay",
    async stop() {
      await thread.close(15_000)
    },
  }
}

export interface InlineRelaySidecar extends AtlasSidecar {
  relays: OutboxRelays
}

export function startInlineRelays(o: {
  sql: Sql
  clickhouse: ClickHouseClient
  rabbitmqUrl: string | null
  log: Logger
  pollMs?: number
}): InlineRelaySidecar {
  const relays = startOutboxRelays(o)
  return {
    name: "outbox-relays",
    relays,
    async stop() {
      await relays.flushClickhouse().catch(() => 0)
      await relays.stop()
    },
  }
}

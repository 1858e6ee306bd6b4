/**
 * Hosts the outbox relays for any app (outbox-relays.ts). With a broker, every row goes to
 * RabbitMQ (ClickHouse work to the pgcr_clickhouse queue, whose worker writes ClickHouse), so the
 * host needs no ClickHouse at all. Without one, it opens ClickHouse (CLICKHOUSE_URL, else the
 * embedded engine, which then lives in the calling thread only), applies its migrations, and
 * starts the relays; ClickHouse may be down at start: analytics wait in the outbox while the host
 * keeps trying to connect, with jittered backoff, until it succeeds or is closed; the crawl
 * (Postgres) never waits.
 */

import { computeBackoffMs } from "../backoff.ts"
import { connectClickhouse } from "../database/clickhouse.ts"
import { runClickhouseMigrations } from "../database/migrate/clickhouse.ts"
import type { Sql } from "../database/postgres.ts"
import type { Logger } from "../monitoring/logger.ts"
import { type OutboxRelays, startOutboxRelays } from "./outbox-relays.ts"

export interface RelayHostOptions {
  sql: Sql
  clickhouseUrl: string | null
  clickhouseDatabase: string
  dataDir: string
  rabbitmqUrl: string | null
  log: Logger
  /** Called for each failed ClickHouse connection attempt (1-based). */
  onUnavailable?: (reason: string, attempt: number) => void
  pollMs?: number
}

export interface RelayHost {
  /** Resolves once the relays run (never, if ClickHouse never comes up before close). */
  readonly started: Promise<void>
  /** Delivers what is due to ClickHouse now (tests); 0 before the relays run. */
  flushClickhouse(): Promise<number>
  /** Final ClickHouse flush (or publish), then stops the relays and closes ClickHouse (once; later calls wait for it). */
  close(): Promise<void>
}

const CONNECT_BACKOFF = { baseMs: 2_000, maxMs: 60_000 }

export function startRelayHost(o: RelayHostOptions): RelayHost {
  let relays: OutboxRelays | null = null
  let closeClickhouse: () => Promise<void> = async () => {}
  let closing = false
  let closed: Promise<void> | null = null
  let wake: () => void = () => {}
  const started = (async () => {
    if (o.rabbitmqUrl) {
      relays = startOutboxRelays({ sql: o.sql, clickhouse: null, rabbitmqUrl: o.rabbitmqUrl, log: o.log, pollMs: o.pollMs })
      o.log.info("relay.started", { clickhouse: "via pgcr_clickhouse", rabbitmq: true })
      return
    }
    for (let attempt = 1; !closing; attempt++) {
      try {
        const ch = await connectClickhouse({ url: o.clickhouseUrl, dataDir: o.dataDir, database: o.clickhouseDatabase })
        closeClickhouse = () => ch.close()
        await runClickhouseMigrations(ch.client, { logger: o.log })
        relays = startOutboxRelays({ sql: o.sql, clickhouse: ch.client, rabbitmqUrl: null, log: o.log, pollMs: o.pollMs })
        o.log.info("relay.started", { clickhouse: o.clickhouseUrl === null ? "embedded" : "server", rabbitmq: false })
        return
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        o.log.error("relay.clickhouse.unavailable", { attempt, reason, setting: "CLICKHOUSE_URL" })
        o.onUnavailable?.(reason, attempt)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, computeBackoffMs(attempt - 1, CONNECT_BACKOFF))
        })
      }
    }
  })()
  return {
    started,
    async flushClickhouse() {
      return relays === null ? 0 : relays.flushClickhouse()
    },
    close() {
      closed ??= (async () => {
        closing = true
        wake()
        await started
        if (relays !== null) {
          await relays.flushClickhouse().catch((error) => o.log.warn("relay.final_flush_failed", { error }))
          await relays.stop()
        }
        await closeClickhouse()
      })()
      return closed
    },
  }
}

/**
 * Runs the outbox relays beside the crawl, as an Atlas sidecar: in the ch-writer Worker
 * (production: the embedded ClickHouse engine then lives in that thread alone), or inline on the
 * main thread with a caller's ClickHouse client (tests, whose process already owns the embedded
 * engine — libchdb cannot be used from two threads of one process).
 */
import type { ClickHouseClient } from "@clickhouse/client"
import type { ChWriterInit, ChWriterToMain } from "../../../workers/ch-writer.ts"
import type { Sql } from "../../lib/database/postgres.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import type { AtlasSidecar } from "./atlas.ts"
import { type OutboxRelays, startOutboxRelays } from "./outbox-relays.ts"

const CH_WRITER_URL = new URL("../../../workers/ch-writer.ts", import.meta.url)

/** What the ch-writer Worker is initialised with, plus the main thread's logger. */
export interface ClickhouseWorkerOptions extends Omit<ChWriterInit, "type"> {
  log: Logger
}

export async function startClickhouseWorker(o: ClickhouseWorkerOptions): Promise<AtlasSidecar> {
  const worker = new Worker(CH_WRITER_URL.href)
  let closed: () => void = () => {}
  const closedPromise = new Promise<void>((resolve) => {
    closed = resolve
  })
  const ready = new Promise<void>((resolve) => {
    worker.onmessage = (event: MessageEvent<ChWriterToMain>) => {
      const message = event.data
      if (message.type === "ready") resolve()
      else if (message.type === "closed") closed()
      else if (message.type === "error") {
        o.log.warn("atlas.ch_writer.unavailable", { reason: message.reason })
        resolve()
      }
    }
  })
  worker.onerror = (event) => {
    o.log.error("atlas.ch_writer.crashed", { message: event.message })
    closed()
  }
  const init: ChWriterInit = {
    type: "init",
    databaseUrl: o.databaseUrl,
    clickhouseUrl: o.clickhouseUrl,
    clickhouseDatabase: o.clickhouseDatabase,
    dataDir: o.dataDir,
    rabbitmqUrl: o.rabbitmqUrl,
    logLevel: o.logLevel,
  }
  worker.postMessage(init)
  await ready
  return {
    name: "ch-writer",
    async stop() {
      worker.postMessage({ type: "close" })
      await Promise.race([closedPromise, Bun.sleep(15_000)])
      worker.terminate()
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

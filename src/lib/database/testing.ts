/**
 * Test helpers for integration tests against real engines, isolated by unique database names:
 *
 *   const db = await createTestDatabase({ migrate: true });   // Postgres, schema + seeds
 *   afterAll(() => db.drop());
 *
 *   const ch = await createTestClickhouse({ migrate: true }); // embedded chdb
 *   afterAll(() => ch.drop());
 *
 * Postgres: the running server at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * ClickHouse: the per-process embedded engine in `<tmp>/raidhub-chdb-<pid>` (so concurrent test
 * processes never share a libchdb data directory), or whichever directory this process
 * already opened.
 */

import { rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ClickHouseClient } from "@clickhouse/client"
import { createLogger } from "../monitoring/logger.ts"
import { createEmbeddedClickhouseClient, getEmbeddedChdbPath, quoteClickhouseIdent } from "./clickhouse.ts"
import { type ClickhouseMigrateOptions, runClickhouseMigrations } from "./migrate/clickhouse.ts"
import { type PostgresMigrateOptions, runPostgresMigrations } from "./migrate/postgres.ts"
import { createSql, quoteIdent, type Sql } from "./postgres.ts"

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"

// Migration logs would drown test output; failures still surface as exceptions.
const quietLogger = createLogger({ level: "silent" })

export interface TestDatabase {
  sql: Sql
  /** URL of the test database (for code under test that opens its own pool, e.g. a Worker). */
  url: string
  name: string
  /** Ends the pool and drops the database (terminating other sessions on it). */
  drop(): Promise<void>
}

export interface TestDatabaseOptions {
  /** Apply sql/migrations, sql/views and seeds (default false). */
  migrate?: boolean
  /** Overrides for the migration run (dirs, seeds). */
  migrateOptions?: Omit<PostgresMigrateOptions, "dryRun">
  /** Pool size of the returned `sql` (default 5). */
  max?: number
}

/** A unique, short, lower-case identifier: `<prefix>_<pid>_<time>_<random>`. */
export function uniqueName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8)
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${random}`.toLowerCase()
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Creates a unique database on the test Postgres server, optionally migrated and seeded. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL
  const name = uniqueName("test")
  const admin = createSql(adminUrl, { max: 1 })
  try {
    await admin.unsafe(`CREATE DATABASE ${quoteIdent(name)}`)
  } finally {
    await admin.end({ timeout: 5 })
  }
  const url = withDatabase(adminUrl, name)
  const sql = createSql(url, { max: options.max ?? 5, applicationName: "raidhub-test" })
  let dropped = false
  const drop = async () => {
    if (dropped) return
    dropped = true
    await sql.end({ timeout: 5 })
    const cleanup = createSql(adminUrl, { max: 1 })
    try {
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
    } finally {
      await cleanup.end({ timeout: 5 })
    }
  }
  if (options.migrate) {
    try {
      await runPostgresMigrations(sql, { logger: quietLogger, ...options.migrateOptions })
    } catch (err) {
      await drop()
      throw err
    }
  }
  return { sql, url, name, drop }
}

export interface TestClickhouse {
  client: ClickHouseClient
  database: string
  /** Drops the database; the shared engine stays open for other tests. */
  drop(): Promise<void>
}

export interface TestClickhouseOptions {
  /** Apply clickhouse/migrations and clickhouse/views (default false). */
  migrate?: boolean
  migrateOptions?: Omit<ClickhouseMigrateOptions, "dryRun">
}

let cleanupRegistered = false

/** The embedded engine's directory for this test process. */
export function testChdbPath(): string {
  const open = getEmbeddedChdbPath()
  if (open) return open
  const path = join(tmpdir(), `raidhub-chdb-${process.pid}`)
  if (!cleanupRegistered) {
    cleanupRegistered = true
    // Best effort: the engine is process-scoped, so its files can go when the process does.
    process.on("exit", () => {
      try {
        rmSync(path, { recursive: true, force: true })
      } catch {
        // Leaving a temp dir behind is harmless.
      }
    })
  }
  return path
}

/** Creates a unique database on the per-process embedded ClickHouse, optionally migrated. */
export async function createTestClickhouse(options: TestClickhouseOptions = {}): Promise<TestClickhouse> {
  const path = testChdbPath()
  const database = uniqueName("test")
  const client = createEmbeddedClickhouseClient(path, database)
  const admin = createEmbeddedClickhouseClient(path, "default")
  let dropped = false
  const drop = async () => {
    if (dropped) return
    dropped = true
    await admin.command({ query: `DROP DATABASE IF EXISTS ${quoteClickhouseIdent(database)} SYNC` })
    await client.close()
    await admin.close()
  }
  await client.command({ query: "SELECT 1" })
  if (options.migrate) {
    try {
      await runClickhouseMigrations(client, { logger: quietLogger, ...options.migrateOptions })
    } catch (err) {
      await drop()
      throw err
    }
  }
  return { client, database, drop }
}

/** A loopback port that was free a moment ago (for servers, like Postgres, that cannot listen on port 0 and report it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

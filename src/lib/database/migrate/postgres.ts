/**
 * Postgres migration runner. Applies `sql/migrations/*.sql` then `sql/views/*.sql` in lexical
 * order, records each in `public._migrations` with its sha256, then loads the seeds.
 *
 * - Each file runs in its own transaction together with its `_migrations` row, so a failing
 *   file leaves neither changes nor a record. A file whose first line is
 *   `-- migrate:no-transaction` (CREATE INDEX CONCURRENTLY, ...) runs statement by statement
 *   outside a transaction and is recorded after its last statement succeeds.
 * - An applied migration whose checksum changed stops the run before anything is applied; an
 *   edited views file (repeatable) is applied again and its record updated.
 * - An advisory lock makes concurrent runners (several app replicas starting) take turns.
 */
import type postgres from "postgres"
import { logger as defaultLogger, type Logger } from "../../monitoring/logger.ts"
import type { Sql } from "../postgres.ts"
import {
  DEFAULT_POSTGRES_DIRS,
  findPending,
  listMigrationFiles,
  MigrationChecksumError,
  type MigrationDir,
  type MigrationFile,
  type MigrationResult,
} from "./files.ts"
import { splitSqlStatements } from "./split-statements.ts"

export const NO_TRANSACTION_MARKER = "-- migrate:no-transaction"
// Arbitrary constant ("raidhub!" in ASCII) shared by every runner; fits in int8.
const ADVISORY_LOCK_KEY = 0x7261696468756221n

export type SeedLoader = (sql: Sql) => Promise<unknown>

export interface PostgresMigrateOptions {
  dirs?: readonly MigrationDir[]
  /** List pending files without applying them (seeds are not loaded either). */
  dryRun?: boolean
  /**
   * Seeds to load after the files: a loader, `false` for none, or undefined for the repo's
   * `src/lib/database/seed.ts` `loadSeeds(sql)` when that module exists.
   */
  seeds?: SeedLoader | false
  logger?: Logger
}

export interface PostgresMigrationResult extends MigrationResult {
  seeded: boolean
}

export async function ensurePostgresMigrationsTable(sql: Sql): Promise<void> {
  // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide in pg_type.
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`
    await tx`
      CREATE TABLE IF NOT EXISTS public._migrations (
        name text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`
  })
}

async function readApplied(sql: Sql): Promise<{ name: string; checksum: string }[]> {
  return sql<{ name: string; checksum: string }[]>`SELECT name, checksum FROM public._migrations ORDER BY name`
}

function usesTransaction(file: MigrationFile): boolean {
  const firstLine = file.content
    .replace(/^\uFEFF/, "")
    .split("\n", 1)[0]!
    .trim()
    .toLowerCase()
  return firstLine !== NO_TRANSACTION_MARKER
}

/** Applies pending Postgres migrations and views, then seeds. Returns what was applied. */
export async function runPostgresMigrations(sql: Sql, options: PostgresMigrateOptions = {}): Promise<PostgresMigrationResult> {
  const log = (options.logger ?? defaultLogger).child({ component: "migrate", target: "postgres" })
  const files = listMigrationFiles(options.dirs ?? DEFAULT_POSTGRES_DIRS)
  await ensurePostgresMigrationsTable(sql)
  const pending = findPending(files, await readApplied(sql))
  const result: PostgresMigrationResult = { applied: [], skipped: files.length - pending.length, seeded: false }
  if (options.dryRun) {
    result.applied = pending.map((f) => f.name)
    return result
  }
  for (const file of pending) {
    const started = Date.now()
    const applied = usesTransaction(file) ? await applyInTransaction(sql, file) : await applyWithoutTransaction(sql, file)
    if (applied) {
      result.applied.push(file.name)
      log.info("migration_applied", { file: file.name, ms: Date.now() - started })
    }
  }
  const seeds = options.seeds === undefined ? await findRepoSeedLoader() : options.seeds
  if (seeds) {
    const started = Date.now()
    await seeds(sql)
    result.seeded = true
    log.info("seeds_loaded", { ms: Date.now() - started })
  }
  return result
}

/** Returns false when another runner recorded the file while this one waited for the lock. */
async function applyInTransaction(sql: Sql, file: MigrationFile): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`
    if (await isRecorded(tx, file)) return false
    try {
      await tx.unsafe(file.content).simple()
    } catch (err) {
      throw annotate(err, file)
    }
    await record(tx, file)
    return true
  }) as Promise<boolean>
}

async function applyWithoutTransaction(sql: Sql, file: MigrationFile): Promise<boolean> {
  const conn = await sql.reserve()
  try {
    await conn`SELECT pg_advisory_lock(${ADVISORY_LOCK_KEY})`
    try {
      if (await isRecorded(conn, file)) return false
      for (const statement of splitSqlStatements(file.content, "postgres")) {
        try {
          await conn.unsafe(statement).simple()
        } catch (err) {
          throw annotate(err, file)
        }
      }
      await record(conn, file)
      return true
    } finally {
      await conn`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`
    }
  } finally {
    conn.release()
  }
}

type Queryable = Sql | postgres.TransactionSql<{ bigint: bigint }> | postgres.ReservedSql<{ bigint: bigint }>

/** True when this exact file is recorded; a repeatable file recorded with another checksum is not. */
async function isRecorded(sql: Queryable, file: MigrationFile): Promise<boolean> {
  const rows = await (sql as Sql)<{ checksum: string }[]>`SELECT checksum FROM public._migrations WHERE name = ${file.name}`
  const row = rows[0]
  if (!row) return false
  if (row.checksum === file.checksum) return true
  if (file.repeatable) return false
  throw new MigrationChecksumError(file.name, row.checksum, file.checksum)
}

async function record(sql: Queryable, file: MigrationFile): Promise<void> {
  await (sql as Sql)`
    INSERT INTO public._migrations (name, checksum) VALUES (${file.name}, ${file.checksum})
    ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`
}

function annotate(err: unknown, file: MigrationFile): Error {
  const e = err instanceof Error ? err : new Error(String(err))
  const pos = (e as { position?: string }).position
  const where = pos ? ` at ${locate(file.content, Number(pos))}` : ""
  return new Error(`migration ${file.name} failed${where}: ${e.message}`, { cause: e })
}

function locate(content: string, position: number): string {
  const before = content.slice(0, Math.max(0, position - 1))
  const line = before.split("\n").length
  return `line ${line}`
}

/** The repo's seed loader (`src/lib/database/seed.ts` exporting `loadSeeds(sql)`), if present. */
export async function findRepoSeedLoader(): Promise<SeedLoader | null> {
  const url = new URL("../seed.ts", import.meta.url)
  if (!(await Bun.file(url).exists())) return null
  const mod = (await import(url.href)) as { loadSeeds?: SeedLoader }
  if (typeof mod.loadSeeds !== "function") throw new Error(`${url.pathname} does not export loadSeeds(sql)`)
  return mod.loadSeeds
}

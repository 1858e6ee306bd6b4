/**
 * Migration files on disk: `*.sql` in a directory, applied in lexical order (so names are
 * zero-padded numbers: 0001_core.sql, 0002_...). Each file is identified by `<group>/<file>`
 * and its sha256 checksum, which is what the `_migrations` tables record.
 *
 * A directory is either append-only (migrations: an applied file must never change) or
 * repeatable (views: every file drops and recreates what it defines, so an edited file is
 * simply applied again and its record updated).
 */
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export interface MigrationFile {
  /** Recorded identity, e.g. "migrations/0001_schemas.sql" or "views/0001_leaderboards.sql". */
  name: string
  path: string
  content: string
  checksum: string
  /** From a repeatable directory: applied again whenever its checksum changes. */
  repeatable: boolean
}

export interface MigrationDir {
  /** Prefix of the recorded name: "migrations" or "views". */
  group: string
  dir: string
  /** Files are re-applied when edited instead of stopping the run (default false). */
  repeatable?: boolean
}

/** Repository root (two levels above src/lib/database/migrate). */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url))

export const DEFAULT_POSTGRES_DIRS: readonly MigrationDir[] = [
  { group: "migrations", dir: join(REPO_ROOT, "sql/migrations") },
  { group: "views", dir: join(REPO_ROOT, "sql/views"), repeatable: true },
]

export const DEFAULT_CLICKHOUSE_DIRS: readonly MigrationDir[] = [
  { group: "migrations", dir: join(REPO_ROOT, "clickhouse/migrations") },
  { group: "views", dir: join(REPO_ROOT, "clickhouse/views"), repeatable: true },
]

export function checksumOf(content: string): string {
  return createHash("sha256").update(content).digest("hex")
}

/** Lists `*.sql` files of each directory (missing directories are empty), groups in the given order. */
export function listMigrationFiles(dirs: readonly MigrationDir[]): MigrationFile[] {
  const files: MigrationFile[] = []
  for (const { group, dir, repeatable } of dirs) {
    if (!existsSync(dir)) continue
    const names = readdirSync(dir)
      .filter((f) => f.endsWith(".sql") && statSync(join(dir, f)).isFile())
      .sort()
    for (const file of names) {
      const path = join(dir, file)
      const content = readFileSync(path, "utf8")
      files.push({ name: `${group}/${file}`, path, content, checksum: checksumOf(content), repeatable: repeatable ?? false })
    }
  }
  return files
}

export class MigrationChecksumError extends Error {
  constructor(
    readonly file: string,
    readonly recorded: string,
    readonly actual: string,
  ) {
    super(
      `migration ${file} was edited after it was applied (recorded sha256 ${recorded.slice(0, 12)}…, file now ${actual.slice(0, 12)}…); add a new migration instead of editing an applied one`,
    )
    this.name = "MigrationChecksumError"
  }
}

export interface AppliedRecord {
  name: string
  checksum: string
}

/**
 * Compares files with what is recorded: throws on the first edited append-only file, returns the
 * pending ones (new files, and repeatable files whose checksum changed). A recorded file that no
 * longer exists is tolerated (it was applied; history is not rewritten). When a name was recorded
 * more than once (a re-applied repeatable file in ClickHouse's append-only table), the last
 * record in `applied` wins, so callers pass records oldest first.
 */
export function findPending(files: readonly MigrationFile[], applied: readonly AppliedRecord[]): MigrationFile[] {
  const recorded = new Map(applied.map((r) => [r.name, r.checksum]))
  const pending: MigrationFile[] = []
  for (const file of files) {
    const checksum = recorded.get(file.name)
    if (checksum === undefined) pending.push(file)
    else if (checksum === file.checksum) continue
    else if (file.repeatable) pending.push(file)
    else throw new MigrationChecksumError(file.name, checksum, file.checksum)
  }
  return pending
}

export interface MigrationResult {
  /** Files applied by this run (or, in a dry run, that would be). */
  applied: string[]
  /** Files already recorded before this run. */
  skipped: number
}

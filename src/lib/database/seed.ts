/**
 * Loads the definitions seed (`sql/seeds/*.json`) into the `definitions` schema.
 *
 * A seed file is `{ steps: [{ step, tables: { <table>: [row, ...] } }] }`; steps run in order
 * (activities before versions before hashes) and every row is upserted on the table's primary
 * key, so a corrected seed updates rows and an unchanged seed changes nothing. Only rows whose
 * values actually differ are written, which makes the per-table `changed` count meaningful.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { AnySql, AnyTx } from "./sql-types.ts"

export const DEFAULT_SEEDS_DIR = fileURLToPath(new URL("../../../sql/seeds", import.meta.url))

/** Tables a seed may fill, with their primary key. Anything else in a seed file is an error. */
const SEEDABLE_TABLES: Readonly<Record<string, string>> = {
  activity_definition: "id",
  version_definition: "id",
  activity_version: "hash",
  season: "id",
  class_definition: "hash",
  weapon_definition: "hash",
  activity_feat_definition: "hash",
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/

export interface SeedTableReport {
  file: string
  step: number
  table: string
  /** Rows in the seed. */
  rows: number
  /** Rows inserted or updated (0 when the database already matched). */
  changed: number
}

export interface SeedReport {
  tables: SeedTableReport[]
  totalRows: number
  totalChanged: number
}

type SeedRow = Record<string, unknown>

interface SeedStep {
  step: number
  tables: Record<string, SeedRow[]>
}

/** Loads every `*.json` seed in `dir` (sorted by name) in one transaction. */
export async function loadSeeds(sql: AnySql, dir: string = DEFAULT_SEEDS_DIR): Promise<SeedReport> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
  const seeds = files.map((file) => ({ file, steps: parseSeedFile(file, readFileSync(join(dir, file), "utf8")) }))

  const tables: SeedTableReport[] = []
  await sql.begin(async (tx) => {
    for (const { file, steps } of seeds) {
      for (const step of steps) {
        for (const [table, rows] of Object.entries(step.tables)) {
          const changed = await upsertRows(tx, table, rows)
          tables.push({ file, step: step.step, table, rows: rows.length, changed })
        }
      }
    }
  })
  return {
    tables,
    totalRows: tables.reduce((sum, t) => sum + t.rows, 0),
    totalChanged: tables.reduce((sum, t) => sum + t.changed, 0),
  }
}

/** Validates a seed file's shape and returns its steps in step order. */
export function parseSeedFile(file: string, text: string): SeedStep[] {
  const parsed: unknown = JSON.parse(text)
  if (!isObject(parsed) || !Array.isArray(parsed.steps)) {
    throw new Error(`seed ${file}: expected an object with a "steps" array`)
  }
  const steps = parsed.steps.map((raw, index): SeedStep => {
    if (!isObject(raw) || typeof raw.step !== "number" || !isObject(raw.tables)) {
      throw new Error(`seed ${file}: steps[${index}] needs a numeric "step" and a "tables" object`)
    }
    const tables: Record<string, SeedRow[]> = {}
    for (const [table, rows] of Object.entries(raw.tables)) {
      if (!(table in SEEDABLE_TABLES)) {
        throw new Error(`seed ${file}: step ${raw.step} names unknown table "${table}"`)
      }
      if (!Array.isArray(rows) || !rows.every(isObject)) {
        throw new Error(`seed ${file}: step ${raw.step} table "${table}" must be an array of objects`)
      }
      tables[table] = rows as SeedRow[]
    }
    return { step: raw.step, tables }
  })
  return steps.sort((a, b) => a.step - b.step)
}

async function upsertRows(tx: AnyTx, table: string, rows: SeedRow[]): Promise<number> {
  if (rows.length === 0) return 0
  const pk = SEEDABLE_TABLES[table]
  if (pk === undefined) throw new Error(`unknown seed table ${table}`)

  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  for (const column of columns) {
    if (!IDENTIFIER.test(column)) throw new Error(`seed table ${table}: bad column name "${column}"`)
  }
  if (!columns.includes(pk)) throw new Error(`seed table ${table}: rows lack primary key "${pk}"`)

  const qualified = `definitions.${table}`
  const columnList = columns.join(", ")
  const updatable = columns.filter((c) => c !== pk)
  // A key absent from a row means null (e.g. release_date_override), so a corrected seed that
  // drops a value clears it too.
  const onConflict =
    updatable.length === 0
      ? "DO NOTHING"
      : `DO UPDATE SET ${updatable.map((c) => `${c} = excluded.${c}`).join(", ")}
         WHERE (${updatable.map((c) => `t.${c}`).join(", ")}) IS DISTINCT FROM (${updatable.map((c) => `excluded.${c}`).join(", ")})`

  // jsonb_populate_recordset converts each JSON value to the column's type (timestamptz, bigint,
  // boolean, enums) on the server, so no value passes through a lossy JS conversion.
  const result = await tx.unsafe(
    `INSERT INTO ${qualified} AS t (${columnList})
     SELECT ${columnList} FROM jsonb_populate_recordset(NULL::${qualified}, $1::text::jsonb)
     ON CONFLICT (${pk}) ${onConflict}`,
    [JSON.stringify(rows)],
  )
  return result.count
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

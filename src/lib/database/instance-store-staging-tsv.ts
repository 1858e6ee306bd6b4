/**
 * Loads staging rows (ids, numbers, booleans, timestamps, number arrays, names) as one
 * tab-separated text parameter, split and cast in SQL. For these tables that is several
 * times cheaper for Postgres than json_populate_recordset, which builds a hash table of keys for
 * every JSON object. A row whose strings could break the format (tab, newline, backslash) sends
 * the whole table through the JSON path instead (staging-json.ts), so any input stays correct.
 */

import type { AnyTx } from "./sql-types.ts"
import { insertStagingRows, type StagingCell } from "./staging-json.ts"

/** A column and the SQL type its text is cast to (the staging table's type). */
export interface TsvColumn {
  name: string
  type: string
}

const UNSAFE_TEXT = /[\t\n\\]/

// An empty string stays '' (a text column gets '', any other type fails, as with JSON).
function encodeCell(cell: StagingCell | undefined): string | null {
  if (cell === null || cell === undefined) return "\\N"
  if (typeof cell === "boolean") return cell ? "t" : "f"
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : null
  if (typeof cell === "string") return UNSAFE_TEXT.test(cell) ? null : cell
  if (cell instanceof Uint8Array) return null
  return cell.every(Number.isFinite) ? `{${cell.map(String).join(",")}}` : null
}

/** The rows as TSV, or null when some cell cannot be carried safely (the caller uses JSON). */
export function encodeStagingTsv(columnCount: number, rows: readonly (readonly StagingCell[])[]): string | null {
  const lines: string[] = new Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    let line = ""
    for (let c = 0; c < columnCount; c++) {
      const text = encodeCell(row[c])
      if (text === null) return null
      line = c === 0 ? text : `${line}\t${text}`
    }
    lines[r] = line
  }
  return lines.join("\n")
}

/**
 * The select list that casts the split cells `a` to `columns`. The subquery producing `a` must
 * not be flattened (OFFSET 0), or Postgres splits the line once per column.
 */
export function selectTsvColumns(columns: readonly TsvColumn[]): string {
  return columns.map((c, i) => `a[${i + 1}]::${c.type} as ${c.name}`).join(", ")
}

/** Inserts `rows` (cells in `columns` order) into `table`; a no-op for no rows. */
export async function insertStagingTsv(
  tx: AnyTx,
  table: string,
  columns: readonly TsvColumn[],
  rows: readonly (readonly StagingCell[])[],
): Promise<void> {
  if (rows.length === 0) return
  const tsv = encodeStagingTsv(columns.length, rows)
  const names = columns.map((c) => c.name)
  if (tsv === null) return insertStagingRows(tx, table, names, rows)
  await tx.unsafe(
    `insert into ${table} (${names.join(", ")})
     select ${selectTsvColumns(columns)} from (select string_to_array(l, E'\\t', '\\N') as a from unnest(string_to_array($1::text, E'\\n')) l offset 0) x`,
    [tsv],
  )
}

/**
 * Loads rows into a staging table with one INSERT ... SELECT FROM json_populate_recordset.
 *
 * Why not COPY: porsager's COPY FROM STDIN stream never settles when the server rejects the data
 * (the error arrives after the stream resolved), which would wedge the writer's transaction. One
 * JSON parameter keeps the same single round trip per table, fails like any other statement,
 * and carries 64-bit ids as strings (Postgres parses them into bigint columns).
 */
import type { AnySql, AnyTx } from "./sql-types.ts"

/** A cell: null is SQL NULL; Uint8Array is bytea; arrays become Postgres arrays. */
export type StagingCell = string | number | boolean | null | Uint8Array | readonly number[]

/** Encodes rows (cells in `columns` order) as a JSON array of objects. */
export function encodeStagingJson(columns: readonly string[], rows: readonly (readonly StagingCell[])[]): string {
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {}
    columns.forEach((column, i) => {
      const cell = row[i] ?? null
      record[column] =
        cell instanceof Uint8Array ? `\\x${Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength).toString("hex")}` : cell
    })
    return record
  })
  return JSON.stringify(records)
}

/** Inserts `rows` into `table`; a no-op for no rows. */
export async function insertStagingRows(
  tx: AnyTx | AnySql,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly StagingCell[])[],
): Promise<void> {
  if (rows.length === 0) return
  const list = columns.join(", ")
  await tx.unsafe(`insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, ($1::text)::json)`, [
    encodeStagingJson(columns, rows),
  ])
}

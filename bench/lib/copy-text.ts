/**
 * Raw COPY ... FROM STDIN (text format) for the writer benchmark's baseline: the fastest way to
 * move rows into Postgres, against which the instance store is measured. Bench-only: porsager's
 * COPY stream does not report a server-side rejection reliably (see staging-json.ts), which is
 * fine for a baseline fed with rows the store itself accepts.
 */
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type { AnyTx } from "../../src/lib/database/sql-types.ts"
import type { StagingCell } from "../../src/lib/database/staging-json.ts"

// Text-format escapes: backslash and the characters that delimit cells and rows.
function escapeText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (ch) => (ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r"))
}

/** One cell in COPY text format. */
export function encodeCopyCell(cell: StagingCell): string {
  if (cell === null) return "\\N"
  if (typeof cell === "boolean") return cell ? "t" : "f"
  if (typeof cell === "number") return String(Math.trunc(cell))
  if (typeof cell === "string") return escapeText(cell)
  if (cell instanceof Uint8Array) return `\\\\x${Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength).toString("hex")}`
  return `{${cell.map((n) => String(Math.trunc(n))).join(",")}}`
}

export function encodeCopyRows(rows: readonly (readonly StagingCell[])[]): string {
  let out = ""
  for (const row of rows) out += `${row.map(encodeCopyCell).join("\t")}\n`
  return out
}

const CHUNK_ROWS = 2000

export async function copyRows(
  tx: AnyTx,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly StagingCell[])[],
): Promise<void> {
  if (rows.length === 0) return
  const stream = await tx.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable()
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield encodeCopyRows(rows.slice(i, i + CHUNK_ROWS))
  }
  await pipeline(Readable.from(chunks()), stream)
}

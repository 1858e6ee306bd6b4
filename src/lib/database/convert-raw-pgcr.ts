/**
 * Rewrites raw.pgcr rows stored in our first format (zstd frames of the whole Bungie envelope)
 * into the format the public API reads (encodeRawPgcr: gzip of the Response object's bytes). Postgres
 * cannot decompress zstd, so this runs in the application, one bounded batch at a time:
 *
 *   1. read the next `limit` rows by instance id after `after` (only zstd rows carry their bytes),
 *   2. convert them in memory,
 *   3. update them in one statement, each guarded by "still a zstd frame", so a row the writer
 *      replaced meanwhile (replaceInstance) is left alone.
 *
 * Every batch commits on its own, and converted rows are no longer zstd, so an interrupted run
 * can simply be started again (or resumed after the last id it printed).
 */

import type { Sql } from "./postgres.ts"
import { encodeRawPgcr, isZstd, sliceResponseBody } from "./raw-pgcr-codec.ts"

const OPEN_OBJECT = 0x7b

export interface ConvertBatchOptions {
  /** Convert rows with instance_id > after ("0" for the beginning). */
  after: bigint
  /** Rows to scan in this batch (converted or not). */
  limit: number
  /** Convert in memory only; write nothing. */
  dryRun: boolean
}

export interface ConvertBatchResult {
  /** Rows read (of any format). 0 = the table is done past `after`. */
  scanned: number
  /** zstd rows found in the batch. */
  zstd: number
  /** Rows written (dry run: rows that would be). Less than `zstd` when rows failed or changed meanwhile. */
  converted: number
  failed: { instanceId: bigint; reason: string }[]
  /** Highest instance id read: the next batch's `after`. */
  lastId: bigint
  bytesBefore: number
  bytesAfter: number
}

/** Converts one batch; see the module comment. */
export async function convertRawPgcrBatch(sql: Sql, options: ConvertBatchOptions): Promise<ConvertBatchResult> {
  const rows = await sql<{ instance_id: bigint; data: Uint8Array | null }[]>`
    SELECT instance_id,
           CASE WHEN substring(data FROM 1 FOR 4) = decode('28b52ffd', 'hex') THEN data END AS data
    FROM raw.pgcr
    WHERE instance_id > ${options.after.toString()}
    ORDER BY instance_id
    LIMIT ${options.limit}`
  const result: ConvertBatchResult = {
    scanned: rows.length,
    zstd: 0,
    converted: 0,
    failed: [],
    lastId: rows.length > 0 ? rows[rows.length - 1]!.instance_id : options.after,
    bytesBefore: 0,
    bytesAfter: 0,
  }
  const ids: string[] = []
  const bodies: Uint8Array[] = []
  for (const row of rows) {
    if (row.data === null || !isZstd(row.data)) continue
    result.zstd++
    try {
      const json = sliceResponseBody(Bun.zstdDecompressSync(row.data as Uint8Array<ArrayBuffer>))
      if (json[0] !== OPEN_OBJECT) throw new Error("the decompressed bytes are not a JSON object")
      const body = encodeRawPgcr(json)
      ids.push(row.instance_id.toString())
      bodies.push(body)
      result.bytesBefore += row.data.byteLength
      result.bytesAfter += body.byteLength
    } catch (error) {
      result.failed.push({ instanceId: row.instance_id, reason: error instanceof Error ? error.message : String(error) })
    }
  }
  if (ids.length === 0) return result
  if (options.dryRun) {
    result.converted = ids.length
    return result
  }
  const offsets: number[] = []
  let offset = 0
  for (const body of bodies) {
    offsets.push(offset)
    offset += body.byteLength
  }
  // One bytea parameter with every body, cut by offset and length (as the instance store does).
  const updated = await sql`
    UPDATE raw.pgcr p
    SET data = substring(${Buffer.concat(bodies)}::bytea FROM v.o + 1 FOR v.l)
    FROM unnest(${ids}::bigint[], ${offsets}::int[], ${bodies.map((b) => b.byteLength)}::int[]) AS v(id, o, l)
    WHERE p.instance_id = v.id AND substring(p.data FROM 1 FOR 4) = decode('28b52ffd', 'hex')`
  result.converted = updated.count
  return result
}

/** How many rows are still zstd (a full scan of the first bytes of every row). */
export async function countZstdRawPgcrs(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM raw.pgcr WHERE substring(data FROM 1 FOR 4) = decode('28b52ffd', 'hex')`
  return row!.n
}

/**
 * Codec for `raw.pgcr.data`, whose format is fixed by the RaidHub public API: it serves the
 * column on `/pgcr/:id`, gunzipping when the bytes start 1F 8B and otherwise reading them as
 * UTF-8 JSON of Bungie's `Response` object (`period`, `activityDetails`, `entries`, ...).
 *
 * We store gzip of the exact bytes of that object: a byte slice of the envelope as received, so
 * nothing is reparsed or reformatted. Gzip rather than plain bytes left to Postgres' TOAST
 * compression: smaller on disk than lz4 or pglz (and than our old zstd), the same small payload
 * from fetcher to writer as before, and independent of the server's build (the embedded
 * Postgres has no lz4); it costs the fetcher a gzip per raid instead of a zstd.
 * docs/public-api-contract.md gives the reasoning.
 *
 * Rows written before that are zstd frames of the whole envelope (our first format) or gzip
 * (the original system); `decodeRawPgcr` reads every format and `bun run tool convert-raw-pgcr`
 * rewrites the zstd rows.
 */
import { findTopLevelMember } from "./json-member-range.ts"

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const
const GZIP_MAGIC = [0x1f, 0x8b] as const
const OPEN_OBJECT = 0x7b
// zlib's default level: within 10 % of the best ratio on PGCRs at a third of level 9's time.
const GZIP_LEVEL = 6

/** True for a zstd frame: the format of rows stored before the API-compatible one. */
export function isZstd(bytes: Uint8Array): boolean {
  return ZSTD_MAGIC.every((b, i) => bytes[i] === b)
}

export function isGzip(bytes: Uint8Array): boolean {
  return GZIP_MAGIC.every((b, i) => bytes[i] === b)
}

/**
 * The bytes of the `Response` object when `json` is a Bungie envelope (a view into `json`, not a
 * copy); otherwise `json` itself (already a bare Response body, or not an envelope at all).
 */
export function sliceResponseBody(json: Uint8Array): Uint8Array {
  const range = findTopLevelMember(json, "Response")
  if (range === null || json[range.start] !== OPEN_OBJECT) return json
  return json.subarray(range.start, range.end)
}

/**
 * What to store for a PGCR, given the bytes of the whole Bungie envelope as received (a bare
 * Response body works too): gzip of the Response object's exact bytes. Idempotent: gzip input
 * (stored bytes given again, or the original system's rows) comes back unchanged. A zstd frame
 * (our old format) is unpacked first.
 */
export function encodeRawPgcr(bytes: Uint8Array): Uint8Array {
  if (isGzip(bytes)) return bytes
  const json = isZstd(bytes) ? Bun.zstdDecompressSync(bytes as Uint8Array<ArrayBuffer>) : bytes
  return Bun.gzipSync(sliceResponseBody(json) as Uint8Array<ArrayBuffer>, { level: GZIP_LEVEL })
}

/** The `Response` body's JSON bytes from a stored value of any format (plain, gzip, old zstd). */
export function decodeRawPgcr(stored: Uint8Array): Uint8Array {
  if (isZstd(stored)) return sliceResponseBody(Bun.zstdDecompressSync(stored as Uint8Array<ArrayBuffer>))
  if (isGzip(stored)) return sliceResponseBody(Bun.gunzipSync(stored as Uint8Array<ArrayBuffer>))
  return sliceResponseBody(stored)
}

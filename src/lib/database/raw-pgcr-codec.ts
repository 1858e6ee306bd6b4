/**
 * Codec for `raw.pgcr.data`. We keep Bungie's original PGCR bytes, zstd-compressed (level 3:
 * ~5-8x smaller on PGCR JSON at a few hundred MB/s). Older rows of the original system are
 * gzip or plain JSON, so the reader sniffs the magic bytes instead of trusting one format.
 */

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const
const GZIP_MAGIC = [0x1f, 0x8b] as const

/** True when the bytes already are a zstd frame (a caller may compress off the writer thread). */
export function isZstd(bytes: Uint8Array): boolean {
  return ZSTD_MAGIC.every((b, i) => bytes[i] === b)
}

function isGzip(bytes: Uint8Array): boolean {
  return GZIP_MAGIC.every((b, i) => bytes[i] === b)
}

/** Compresses original PGCR bytes for storage; already-compressed zstd input is kept as is. */
export function encodeRawPgcr(bytes: Uint8Array): Uint8Array {
  if (isZstd(bytes)) return bytes
  return Bun.zstdCompressSync(bytes as Uint8Array<ArrayBuffer>, { level: 3 })
}

/** Returns the original PGCR bytes from a stored value (zstd, gzip or plain JSON). */
export function decodeRawPgcr(stored: Uint8Array): Uint8Array {
  if (isZstd(stored)) return Bun.zstdDecompressSync(stored as Uint8Array<ArrayBuffer>)
  if (isGzip(stored)) return Bun.gunzipSync(stored as Uint8Array<ArrayBuffer>)
  return stored
}

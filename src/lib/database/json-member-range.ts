/**
 * Finds where a top-level member's value sits in JSON bytes without parsing them: a single
 * forward walk that only tracks strings and nesting depth (src/lib/json/scan.ts). Used to store
 * the exact bytes of Bungie's `Response` object out of the envelope as received (no reparse, no
 * re-serialisation, so Bungie's number literals and key order survive byte for byte).
 *
 * Keys are compared as written: a key spelled with escapes ("\u0052esponse") does not match.
 * Bungie never escapes plain ASCII keys, and a miss only means the bytes are kept whole.
 */
import { STOP, skipSpace, skipValue, walkObject } from "../json/scan.ts"

export interface ByteRange {
  start: number
  end: number
}

/**
 * The byte range of the value of top-level member `key` when `bytes` hold a JSON object that has
 * it, else null (not an object, no such member, or malformed before it was found).
 */
export function findTopLevelMember(bytes: Uint8Array, key: string): ByteRange | null {
  // One char per byte, so string indices are byte offsets (see scan.ts).
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
  let found: ByteRange | null = null
  walkObject(text, skipSpace(text, 0), (name, start) => {
    const end = skipValue(text, start)
    if (end !== -1 && name === key) {
      found = { start, end }
      return STOP
    }
    return end
  })
  return found
}

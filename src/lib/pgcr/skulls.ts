/**
 * `selectedSkullHashes` (since The Edge of Fate, 2025-07): Bungie repeats hashes and may send 0.
 * Stored deduplicated, zeros dropped, ascending (so equal skull sets compare equal).
 */
import { readHash, readOptionalArray } from "./fields.ts"

export function normalizeSkullHashes(raw: unknown): number[] {
  const list = readOptionalArray(raw, "selectedSkullHashes") ?? []
  const set = new Set<number>()
  list.forEach((h, i) => {
    const hash = readHash(h, `selectedSkullHashes[${i}]`)
    if (hash !== 0) set.add(hash)
  })
  return [...set].sort((a, b) => a - b)
}

/**
 * A set of ids at or above an origin, as bits in 1 KiB chunks (a Map of chunk index → words).
 *
 * Why not Set<bigint>: the resolution tracker keeps every id resolved above the low-water mark
 * while a hole holds the mark, up to the hole's ten-minute patience: ~30,000 ids following the
 * head, hundreds of thousands in a fast catch-up near it. As a Set each is a heap BigInt plus a
 * hash-table slot (~80 bytes, and garbage for the collector when it leaves); here a dense run
 * costs one bit, and a chunk is dropped as soon as it empties.
 *
 * Ids are stored as offsets from the origin, which must stay below 2^53 (ids in use span ~10^10).
 */

const CHUNK_BITS = 8192
const CHUNK_WORDS = CHUNK_BITS / 32

interface Chunk {
  words: Uint32Array
  count: number
}

export class IdBitSet {
  private readonly chunks = new Map<number, Chunk>()
  private count = 0

  constructor(private readonly origin: bigint) {}

  get size(): number {
    return this.count
  }

  /** Adds `id`; false when it was there already. Ids below the origin are a bug (RangeError). */
  add(id: bigint): boolean {
    const offset = this.offsetOf(id)
    const key = Math.floor(offset / CHUNK_BITS)
    let chunk = this.chunks.get(key)
    if (chunk === undefined) {
      chunk = { words: new Uint32Array(CHUNK_WORDS), count: 0 }
      this.chunks.set(key, chunk)
    }
    const bit = offset - key * CHUNK_BITS
    const mask = 1 << (bit & 31)
    const word = bit >>> 5
    if ((chunk.words[word]! & mask) !== 0) return false
    chunk.words[word] = chunk.words[word]! | mask
    chunk.count++
    this.count++
    return true
  }

  has(id: bigint): boolean {
    if (id < this.origin) return false
    const offset = this.offsetOf(id)
    const key = Math.floor(offset / CHUNK_BITS)
    const chunk = this.chunks.get(key)
    if (chunk === undefined) return false
    const bit = offset - key * CHUNK_BITS
    return (chunk.words[bit >>> 5]! & (1 << (bit & 31))) !== 0
  }

  /** Removes `id`; false when it was not there. */
  delete(id: bigint): boolean {
    if (id < this.origin) return false
    const offset = this.offsetOf(id)
    const key = Math.floor(offset / CHUNK_BITS)
    const chunk = this.chunks.get(key)
    if (chunk === undefined) return false
    const bit = offset - key * CHUNK_BITS
    const mask = 1 << (bit & 31)
    const word = bit >>> 5
    if ((chunk.words[word]! & mask) === 0) return false
    chunk.words[word] = chunk.words[word]! & ~mask
    this.count--
    if (--chunk.count === 0) this.chunks.delete(key)
    return true
  }

  /** Removes every id below `bound`. */
  deleteBelow(bound: bigint): void {
    if (bound <= this.origin || this.count === 0) return
    const offset = this.offsetOf(bound)
    const boundKey = Math.floor(offset / CHUNK_BITS)
    for (const [key, chunk] of this.chunks) {
      if (key < boundKey) {
        this.count -= chunk.count
        this.chunks.delete(key)
      } else if (key === boundKey) {
        const bits = offset - key * CHUNK_BITS
        for (let b = 0; b < bits; b++) {
          const mask = 1 << (b & 31)
          if ((chunk.words[b >>> 5]! & mask) === 0) continue
          chunk.words[b >>> 5] = chunk.words[b >>> 5]! & ~mask
          chunk.count--
          this.count--
        }
        if (chunk.count === 0) this.chunks.delete(key)
      }
    }
  }

  /** The ids, ascending. */
  toSortedArray(): BigInt64Array {
    const out = new BigInt64Array(this.count)
    let n = 0
    const keys = [...this.chunks.keys()].sort((a, b) => a - b)
    for (const key of keys) {
      const words = this.chunks.get(key)!.words
      const base = key * CHUNK_BITS
      for (let w = 0; w < CHUNK_WORDS; w++) {
        let bits = words[w]!
        while (bits !== 0) {
          const low = bits & -bits
          out[n++] = this.origin + BigInt(base + w * 32 + (31 - Math.clz32(low)))
          bits ^= low
        }
      }
    }
    return out
  }

  private offsetOf(id: bigint): number {
    const offset = id - this.origin
    if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`id ${id} outside the set's span from ${this.origin}`)
    return Number(offset)
  }
}

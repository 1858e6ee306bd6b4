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
    let chunk = this.locate(id)
    if (chunk === undefined) {
      chunk = { words: new Uint32Array(CHUNK_WORDS), count: 0 }
      this.chunks.set(this.key, chunk)
    }
    const word = chunk.words[this.word]!
    if ((word & this.mask) !== 0) return false
    chunk.words[this.word] = word | this.mask
    chunk.count++
    this.count++
    return true
  }

  has(id: bigint): boolean {
    if (id < this.origin) return false
    const chunk = this.locate(id)
    return chunk !== undefined && (chunk.words[this.word]! & this.mask) !== 0
  }

  /** Removes `id`; false when it was not there. */
  delete(id: bigint): boolean {
    if (id < this.origin) return false
    const chunk = this.locate(id)
    if (chunk === undefined) return false
    const word = chunk.words[this.word]!
    if ((word & this.mask) === 0) return false
    chunk.words[this.word] = word & ~this.mask
    this.count--
    if (--chunk.count === 0) this.chunks.delete(this.key)
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

  // Where the last located id lives (fields, not a returned object: this runs for every resolved id).
  private key = 0
  private word = 0
  private mask = 0

  /** The chunk holding `id` (undefined: none yet), with key, word and mask set for it. */
  private locate(id: bigint): Chunk | undefined {
    const offset = this.offsetOf(id)
    this.key = Math.floor(offset / CHUNK_BITS)
    const bit = offset - this.key * CHUNK_BITS
    this.word = bit >>> 5
    this.mask = 1 << (bit & 31)
    return this.chunks.get(this.key)
  }

  private offsetOf(id: bigint): number {
    const offset = id - this.origin
    if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`id ${id} outside the set's span from ${this.origin}`)
    return Number(offset)
  }
}

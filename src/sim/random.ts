// Deterministic hashing and sampling. Everything the world decides about an id is a pure
// function of (seed, id, salt), so any id can be answered in O(1) without replaying history.

const TWO_32 = 4294967296

/** Mixes 32-bit words into one well-distributed 32-bit value (murmur3 finaliser per word). */
export function hashWords(seed: number, a: number, b: number, salt: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  h = mixWord(h, a)
  h = mixWord(h, b)
  h = mixWord(h, salt)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

function mixWord(h: number, word: number): number {
  let k = Math.imul(word >>> 0, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0
}

/**
 * Uniform [0,1) for an integer key below 2^53 (instance ids fit: the world rejects start ids
 * near 2^53, so `number` arithmetic on them is exact).
 */
export function unitFor(seed: number, key: number, salt: number): number {
  const lo = key % TWO_32
  const hi = Math.floor(key / TWO_32)
  return hashWords(seed, lo, hi, salt) / TWO_32
}

/** Turns any string seed into a 32-bit integer seed. */
export function normaliseSeed(seed: number | string): number {
  if (typeof seed === "number" && Number.isInteger(seed)) return seed >>> 0
  // "--seed 3" on the command line means the same world as startSim({ seed: 3 }).
  if (typeof seed === "string" && /^\d{1,15}$/.test(seed)) return Number(seed) >>> 0
  const text = String(seed)
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

export interface Rng {
  next(): number
  int(minInclusive: number, maxInclusive: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
}

/** mulberry32: tiny, fast, good enough for shaping fake stats. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / TWO_32
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list")
      return items[Math.floor(next() * items.length)] as (typeof items)[number]
    },
    chance: (p) => next() < p,
  }
}

/** Standard normal from two uniforms (Box-Muller). */
export function sampleNormal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2)
}

/** Lognormal with the given median; sigma sets the tail (0.7 gives p99 ≈ 5× median). */
export function sampleLognormal(medianMs: number, sigma: number, u1: number, u2: number): number {
  return medianMs * Math.exp(sigma * sampleNormal(u1, u2))
}

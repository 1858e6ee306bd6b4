import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../../../lib/math/seeded-random.ts"
import { IdBitSet } from "./id-bitset.ts"

const ORIGIN = 16_000_000_000n

describe("IdBitSet", () => {
  test("add, has and delete report membership, and size follows", () => {
    const set = new IdBitSet(ORIGIN)
    expect(set.add(ORIGIN + 5n)).toBe(true)
    expect(set.add(ORIGIN + 5n)).toBe(false)
    expect(set.add(ORIGIN + 31n)).toBe(true)
    expect(set.add(ORIGIN + 8_192n * 3n + 7n)).toBe(true)
    expect(set.size).toBe(3)
    expect(set.has(ORIGIN + 31n)).toBe(true)
    expect(set.has(ORIGIN + 30n)).toBe(false)
    expect(set.has(ORIGIN - 1n)).toBe(false)
    expect(set.delete(ORIGIN + 31n)).toBe(true)
    expect(set.delete(ORIGIN + 31n)).toBe(false)
    expect(set.size).toBe(2)
    expect([...set.toSortedArray()]).toEqual([ORIGIN + 5n, ORIGIN + 8_192n * 3n + 7n])
  })

  test("an id below the origin is refused, not stored at a wrong place", () => {
    const set = new IdBitSet(ORIGIN)
    expect(() => set.add(ORIGIN - 1n)).toThrow(RangeError)
    expect(set.size).toBe(0)
  })

  test("deleteBelow drops whole chunks and the low part of the bound's chunk", () => {
    const set = new IdBitSet(ORIGIN)
    for (const offset of [0n, 1n, 8_191n, 8_192n, 20_000n, 20_001n, 20_100n, 40_000n]) set.add(ORIGIN + offset)
    set.deleteBelow(ORIGIN + 20_001n)
    expect([...set.toSortedArray()]).toEqual([ORIGIN + 20_001n, ORIGIN + 20_100n, ORIGIN + 40_000n])
    expect(set.size).toBe(3)
    set.deleteBelow(ORIGIN + 50_000n)
    expect(set.size).toBe(0)
    expect([...set.toSortedArray()]).toEqual([])
  })

  test("the top bit of a word round-trips (the words are unsigned)", () => {
    const set = new IdBitSet(0n)
    for (const id of [31n, 63n, 8_191n]) set.add(id)
    expect([...set.toSortedArray()]).toEqual([31n, 63n, 8_191n])
    expect(set.delete(63n)).toBe(true)
    expect(set.has(31n) && !set.has(63n) && set.has(8_191n)).toBe(true)
  })

  test("random adds and deletes agree with a Set<bigint>", () => {
    const random = createSeededRandom(7)
    const set = new IdBitSet(ORIGIN)
    const reference = new Set<bigint>()
    for (let i = 0; i < 20_000; i++) {
      const id = ORIGIN + BigInt(Math.floor(random() * 50_000))
      if (random() < 0.7) {
        expect(set.add(id)).toBe(!reference.has(id))
        reference.add(id)
      } else {
        expect(set.delete(id)).toBe(reference.has(id))
        reference.delete(id)
      }
      if (i % 5_000 === 0) {
        const bound = ORIGIN + BigInt(Math.floor(random() * 10_000))
        set.deleteBelow(bound)
        for (const r of reference) if (r < bound) reference.delete(r)
      }
    }
    expect(set.size).toBe(reference.size)
    expect([...set.toSortedArray()]).toEqual([...reference].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
  })
})

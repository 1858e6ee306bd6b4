import { describe, expect, test } from "bun:test"
import { createSeededRandom } from "../math/seeded-random.ts"
import { computeTimePlayed } from "./time-played.ts"

const iv = (startSeconds: number, timePlayedSeconds: number) => ({ startSeconds, timePlayedSeconds })

describe("computeTimePlayed", () => {
  test("a single interval inside the activity", () => {
    expect(computeTimePlayed([iv(0, 3187)], 3187)).toBe(3187)
    expect(computeTimePlayed([iv(4, 1588)], 1592)).toBe(1588)
  })

  test("overlaps count once, gaps are not bridged", () => {
    expect(computeTimePlayed([iv(0, 100), iv(50, 100)], 1000)).toBe(150)
    expect(computeTimePlayed([iv(0, 100), iv(200, 100)], 1000)).toBe(200)
    expect(computeTimePlayed([iv(200, 100), iv(0, 100), iv(50, 200)], 1000)).toBe(300)
    expect(computeTimePlayed([iv(0, 1000), iv(10, 10), iv(500, 1)], 1000)).toBe(1000)
    // Touching intervals merge without double counting the shared second.
    expect(computeTimePlayed([iv(0, 100), iv(100, 100)], 1000)).toBe(200)
  })

  test("intervals are clipped to the activity duration", () => {
    expect(computeTimePlayed([iv(900, 500)], 1000)).toBe(100)
    expect(computeTimePlayed([iv(1200, 500)], 1000)).toBe(0)
    expect(computeTimePlayed([iv(0, 5000)], 0)).toBe(0)
  })

  test("empty and zero-length intervals", () => {
    expect(computeTimePlayed([], 1000)).toBe(0)
    expect(computeTimePlayed([iv(10, 0), iv(20, 0)], 1000)).toBe(0)
  })

  test("huge durations cost nothing (no per-second array)", () => {
    const started = performance.now()
    expect(computeTimePlayed([iv(0, 2_000_000_000), iv(5, 10)], 2_147_483_647)).toBe(2_000_000_000)
    expect(computeTimePlayed([iv(32767, 50), iv(23007, 116)], 116285)).toBe(166)
    expect(performance.now() - started).toBeLessThan(1000) // generous: it is microseconds
  })

  test("matches a brute-force per-second count on random inputs", () => {
    const random = createSeededRandom(12345)
    const rand = (n: number) => Math.floor(random() * n)
    for (let round = 0; round < 300; round++) {
      const duration = rand(300)
      const intervals = Array.from({ length: 1 + rand(5) }, () => iv(rand(350), rand(200)))
      const covered = new Set<number>()
      for (const { startSeconds, timePlayedSeconds } of intervals) {
        for (let s = startSeconds; s < Math.min(duration, startSeconds + timePlayedSeconds); s++) covered.add(s)
      }
      expect(computeTimePlayed(intervals, duration)).toBe(covered.size)
    }
  })
})

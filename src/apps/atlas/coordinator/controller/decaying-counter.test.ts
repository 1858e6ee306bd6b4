import { expect, test } from "bun:test"
import { addDecaying, computeDecayingShare, createDecayingSum, readDecaying, readDecayingRate } from "./decaying-counter.ts"

test("decayed sums halve per half-life, give a steady rate and a share that follows change within seconds", () => {
  const s = createDecayingSum(0)
  addDecaying(s, 1_000, 0, 8)
  expect(readDecaying(s, 1_000, 1_000)).toBeCloseTo(4, 9)
  expect(readDecaying(s, 1_000, 500)).toBeCloseTo(4, 9) // time never goes backwards

  const r = createDecayingSum(0)
  for (let t = 0; t <= 60_000; t += 10) addDecaying(r, 3_000, t, 0.5) // 50 events/s
  expect(readDecayingRate(r, 3_000, 60_000)).toBeGreaterThan(49)
  expect(readDecayingRate(r, 3_000, 60_000)).toBeLessThan(51)

  const hits = createDecayingSum(0)
  const total = createDecayingSum(0)
  expect(Number.isNaN(computeDecayingShare(hits, total, 3_000, 0, 10))).toBe(true)
  for (let t = 0; t < 30_000; t += 20) {
    addDecaying(total, 3_000, t, 1)
    if (t % 1000 === 0) addDecaying(hits, 3_000, t, 1) // 2 %
  }
  expect(computeDecayingShare(hits, total, 3_000, 30_000, 10)).toBeCloseTo(0.02, 2)
  for (let t = 30_000; t < 36_000; t += 20) {
    addDecaying(total, 3_000, t, 1)
    addDecaying(hits, 3_000, t, 1) // everything 404s now
  }
  // Two half-lives later the share is already ~75 %.
  expect(computeDecayingShare(hits, total, 3_000, 36_000, 10)).toBeGreaterThan(0.7)
})

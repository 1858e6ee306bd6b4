import { expect, test } from "bun:test"
import { createBenchCorpus, measurePureCheck } from "./bench-support.ts"

test("the bench corpus is deterministic per seed and covers many activities", () => {
  const a = createBenchCorpus(200, 3)
  const b = createBenchCorpus(200, 3)
  expect(a).toEqual(b)
  expect(createBenchCorpus(200, 4)).not.toEqual(a)
  expect(new Set(a.map((i) => i.activityId)).size).toBeGreaterThan(10)
})

test("measurePureCheck checks every run and reports the rate on the injected clock", () => {
  const corpus = createBenchCorpus(50, 1)
  let t = 1000
  const clock = () => {
    t += 250
    return t
  }
  const result = measurePureCheck(corpus, undefined, clock)
  expect(result.instances).toBe(50)
  expect(result.seconds).toBe(0.25)
  expect(result.instancesPerSecond).toBe(200)
  expect(result.flagged).toBeGreaterThan(0)
  expect(result.flagged).toBeLessThan(50)
})

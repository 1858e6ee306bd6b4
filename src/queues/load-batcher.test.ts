import { expect, test } from "bun:test"
import { createLoadBatcher } from "./load-batcher.ts"

function fakeLoader(fail = false) {
  const calls: number[][] = []
  const loadMany = async (keys: number[]) => {
    calls.push([...keys])
    if (fail) throw new Error("database down")
    return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, `v${k}`]))
  }
  return { calls, loadMany }
}

test("concurrent loads share one call; each caller gets its own value, missing keys null", async () => {
  const { calls, loadMany } = fakeLoader()
  const batcher = createLoadBatcher(loadMany, { maxItems: 10, gatherMs: 5 })
  const values = await Promise.all([2, 3, 4].map((k) => batcher.load(k)))
  expect(values).toEqual(["v2", null, "v4"])
  expect(calls).toEqual([[2, 3, 4]])
})

test("a full batch goes at once; the rest follow in the next", async () => {
  const { calls, loadMany } = fakeLoader()
  const batcher = createLoadBatcher(loadMany, { maxItems: 2, gatherMs: 1_000 })
  const first = Promise.all([batcher.load(2), batcher.load(4)])
  expect(calls).toEqual([[2, 4]]) // full: sent without waiting for the timer
  expect(await first).toEqual(["v2", "v4"])
  const late = batcher.load(6)
  const other = batcher.load(8)
  expect(await Promise.all([late, other])).toEqual(["v6", "v8"])
  expect(calls).toEqual([
    [2, 4],
    [6, 8],
  ])
})

test("a failed batch rejects each of its callers", async () => {
  const { loadMany } = fakeLoader(true)
  const batcher = createLoadBatcher(loadMany, { gatherMs: 1 })
  const results = await Promise.allSettled([batcher.load(1), batcher.load(2)])
  expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"])
})

import { expect, test } from "bun:test"
import { createSeededRandom } from "../../../../lib/math/seeded-random.ts"
import { addFrontierSample, createFrontierSamples, fitFrontier, resetFrontierSamples } from "./frontier-estimate.ts"

test("fits the id rate through noisy completion times and extrapolates in bigint", () => {
  const s = createFrontierSamples()
  const base = 17_091_200_569n
  const rnd = createSeededRandom(3)
  expect(fitFrontier(s, 0, 50)).toBeNull()
  for (let i = 0; i < 200; i++) {
    const t = i * 500 // one sample every 0.5 s
    const id = base + BigInt(i * 25) // 50 ids/s
    addFrontierSample(s, id, t + (rnd() - 0.5) * 20_000) // completion order off by up to ±10 s
  }
  const fit = fitFrontier(s, 100_000, 1)!
  expect(fit.idRate).toBeGreaterThan(45)
  expect(fit.idRate).toBeLessThan(55)
  const expected = base + 5_000n // 100 s after the first sample at 50 ids/s
  const error = Number(fit.estimate - expected)
  expect(Math.abs(error)).toBeLessThan(150)
  // Never below what we have seen.
  expect(fitFrontier(s, 0, 50)!.estimate).toBe(base + 199n * 25n)
  resetFrontierSamples(s)
  expect(fitFrontier(s, 0, 50)).toBeNull()
})

test("uses the fallback rate while the samples span too little time", () => {
  const s = createFrontierSamples()
  addFrontierSample(s, 1_000n, 0)
  const fit = fitFrontier(s, 2_000, 40)!
  expect(fit.idRate).toBe(40)
  expect(fit.estimate).toBe(1_080n)
})

test("ids below the newest (a late clump found now) do not bend the fit", () => {
  const s = createFrontierSamples()
  for (let i = 0; i <= 60; i++) addFrontierSample(s, 10_000n + BigInt(i * 25), i * 500) // 50 ids/s for 30 s
  // 300 ids 6,000 behind, discovered over 10 s: paired with the present they would flatten the line.
  for (let i = 0; i < 100; i++) addFrontierSample(s, 5_000n + BigInt(i * 3), 30_000 + i * 100)
  const fit = fitFrontier(s, 45_000, 50)!
  expect(fit.idRate).toBeGreaterThan(45)
  expect(Number(fit.estimate - 11_500n)).toBeGreaterThan(600) // still advancing ~50 ids/s past the newest
})

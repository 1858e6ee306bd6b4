import { expect, test } from "bun:test"
import { createDeadBlockState, type DeadBlockParams, detectDeadBlock, quietDeadBlock } from "./dead-block-detector.ts"

const p: DeadBlockParams = { minShare: 0.99, sustainMs: 20_000, minNotFound: 200, cooldownMs: 60_000, retryAfterNoneMs: 15_000 }

test("suspects a dead block only after a sustained near-total 404 share, then rests", () => {
  const s = createDeadBlockState()
  let fired = Number.NaN
  for (let t = 0; t <= 40_000 && Number.isNaN(fired); t += 1_000) {
    if (detectDeadBlock(s, p, t, t < 5_000 ? 0.5 : 0.995, 50)) fired = t
  }
  expect(fired).toBe(25_000)
  quietDeadBlock(s, p, fired, true)
  expect(detectDeadBlock(s, p, fired + 30_000, 1, 500)).toBe(false)
  const none = createDeadBlockState()
  quietDeadBlock(none, p, 0, false)
  expect(detectDeadBlock(none, p, 10_000, 1, 500)).toBe(false)
  expect(detectDeadBlock(none, p, 15_000, 1, 500)).toBe(false) // clock starts now
  expect(detectDeadBlock(none, p, 35_000, 1, 500)).toBe(true)
  // A dip below the threshold restarts the clock; too few 404s (a quiet minute) never fires.
  const q = createDeadBlockState()
  for (let t = 0; t < 60_000; t += 1_000) expect(detectDeadBlock(q, p, t, t % 10_000 === 0 ? 0.9 : 1, 50)).toBe(false)
  const quiet = createDeadBlockState()
  for (let t = 0; t < 60_000; t += 1_000) expect(detectDeadBlock(quiet, p, t, 1, 2)).toBe(false)
})

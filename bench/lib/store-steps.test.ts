import { expect, test } from "bun:test"
import { emptyStoreSteps } from "../../src/lib/database/instance-store-types.ts"
import { breakDownStoreSteps, writerRatioBound } from "./store-steps.ts"

test("per-step medians are grouped into staging, rows COPY writes too, and derived work", () => {
  const batch = (scale: number) => ({
    ...emptyStoreSteps(),
    staging: 100 * scale,
    instances: 20 * scale,
    players: 40 * scale,
    participants: 90 * scale,
    playerStats: 40 * scale,
    outbox: 20 * scale,
    locks: 2 * scale,
  })
  const { steps, byKind } = breakDownStoreSteps([batch(1), batch(3), batch(2)])
  expect(steps.find((s) => s.step === "staging")?.medianMs).toBe(200)
  expect(byKind).toEqual({ staging: 200, rows: 300, derived: 124 })
})

test("the ratio bound: COPY's time against COPY's plus the derived work", () => {
  expect(writerRatioBound(200, 50)).toBeCloseTo(0.8, 9)
  expect(writerRatioBound(200, 0)).toBe(1)
})

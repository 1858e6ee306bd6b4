import { expect, test } from "bun:test"
import { DEFAULT_LEAD_PARAMS as p, stepLead } from "./lead-controller.ts"

const LOW_LAG = 1_000

test("dead-zone holds, a 404 storm cuts fast, growth only while the ceiling binds", () => {
  expect(stepLead(2, { share404: 0.03, ceilingBinding: true, lagP50Ms: LOW_LAG }, p)).toBe(2)
  expect(stepLead(2, { share404: 0.016, ceilingBinding: true, lagP50Ms: LOW_LAG }, p)).toBe(2)
  expect(stepLead(2, { share404: Number.NaN, ceilingBinding: true, lagP50Ms: Number.NaN }, p)).toBe(2)
  expect(stepLead(2, { share404: 0.5, ceilingBinding: false, lagP50Ms: LOW_LAG }, p)).toBe(2 - p.maxStepDownSec)
  expect(stepLead(2, { share404: 0.06, ceilingBinding: false, lagP50Ms: LOW_LAG }, p)).toBeCloseTo(2 - 0.5 * (0.025 / 0.025), 9)
  expect(stepLead(2, { share404: 0, ceilingBinding: false, lagP50Ms: LOW_LAG }, p)).toBe(2)
  expect(stepLead(2, { share404: 0, ceilingBinding: true, lagP50Ms: LOW_LAG }, p)).toBeCloseTo(2 + 0.25 * (0.015 / 0.025), 9)
  let lead = 0
  for (let i = 0; i < 100; i++) lead = stepLead(lead, { share404: 0.9, ceilingBinding: true, lagP50Ms: LOW_LAG }, p)
  expect(lead).toBe(p.minLeadSec)
  for (let i = 0; i < 1000; i++) lead = stepLead(lead, { share404: 0, ceilingBinding: true, lagP50Ms: LOW_LAG }, p)
  expect(lead).toBe(p.maxLeadSec)
})

test("lag above target grows the lead inside the 404 dead-zone, but never against a 404 storm", () => {
  // 2.5 % 404s (dead-zone) yet 6 s behind: grow by gainUp * (6 - 2) / 2, capped.
  expect(stepLead(0, { share404: 0.025, ceilingBinding: true, lagP50Ms: 3_000 }, p)).toBeCloseTo(0.25 * 0.5, 9)
  expect(stepLead(0, { share404: 0.025, ceilingBinding: true, lagP50Ms: 60_000 }, p)).toBe(p.maxStepUpSec)
  expect(stepLead(0, { share404: 0.025, ceilingBinding: false, lagP50Ms: 60_000 }, p)).toBe(0)
  expect(stepLead(0, { share404: 0.2, ceilingBinding: true, lagP50Ms: 60_000 }, p)).toBeLessThan(0)
})

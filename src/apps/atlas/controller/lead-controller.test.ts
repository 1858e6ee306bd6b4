import { expect, test } from "bun:test"
import { DEFAULT_LEAD_PARAMS as p, stepLead } from "./lead-controller.ts"

test("dead-zone holds, a 404 storm cuts fast, growth only while the ceiling binds", () => {
  expect(stepLead(2, { share404: 0.03, ceilingBinding: true }, p)).toBe(2)
  expect(stepLead(2, { share404: 0.016, ceilingBinding: true }, p)).toBe(2)
  expect(stepLead(2, { share404: Number.NaN, ceilingBinding: true }, p)).toBe(2)
  expect(stepLead(2, { share404: 0.5, ceilingBinding: false }, p)).toBe(2 - p.maxStepDownSec)
  expect(stepLead(2, { share404: 0.06, ceilingBinding: false }, p)).toBeCloseTo(2 - 0.5 * (0.025 / 0.025), 9)
  expect(stepLead(2, { share404: 0, ceilingBinding: false }, p)).toBe(2)
  expect(stepLead(2, { share404: 0, ceilingBinding: true }, p)).toBeCloseTo(2 + 0.25 * (0.015 / 0.025), 9)
  let lead = 0
  for (let i = 0; i < 100; i++) lead = stepLead(lead, { share404: 0.9, ceilingBinding: true }, p)
  expect(lead).toBe(p.minLeadSec)
  for (let i = 0; i < 1000; i++) lead = stepLead(lead, { share404: 0, ceilingBinding: true }, p)
  expect(lead).toBe(p.maxLeadSec)
})

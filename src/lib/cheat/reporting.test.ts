import { expect, test } from "bun:test"
import { shouldBlacklistInstance, shouldReportInstance, shouldReportPlayer } from "./reporting.ts"

test("flags are written above 0.05", () => {
  expect(shouldReportInstance(0.05)).toBe(false)
  expect(shouldReportInstance(0.0501)).toBe(true)
  expect(shouldReportPlayer(0.05)).toBe(false)
  expect(shouldReportPlayer(0.06)).toBe(true)
})

test("blacklist at 0.95 and above, unless the run or anyone in it is whitelisted", () => {
  const clean = { instanceWhitelisted: false, anyParticipantWhitelisted: false }
  expect(shouldBlacklistInstance({ ...clean, instanceProbability: 0.95 })).toBe(true)
  expect(shouldBlacklistInstance({ ...clean, instanceProbability: 0.9499 })).toBe(false)
  expect(shouldBlacklistInstance({ ...clean, instanceProbability: 1, anyParticipantWhitelisted: true })).toBe(false)
  expect(shouldBlacklistInstance({ ...clean, instanceProbability: 1, instanceWhitelisted: true })).toBe(false)
})

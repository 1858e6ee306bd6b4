import { expect, test } from "bun:test"
import { FloodgateDetector } from "./floodgates.ts"

const params = { windowMs: 180_000, openAfterReleases: 3, closeAfterBlocked: 5 }

test("closed until several withheld ids are released within the window; closes when the window empties", () => {
  const gates = new FloodgateDetector(params)
  expect(gates.isOpen(0)).toBe(false)
  gates.noteReleased(17_000_000_010n, 1_000)
  gates.noteReleased(17_000_000_005n, 2_000)
  expect(gates.isOpen(2_000)).toBe(false)
  gates.noteReleased(17_000_000_007n, 60_000)
  expect(gates.isOpen(60_000)).toBe(true)
  expect(gates.newestReleased).toBe(17_000_000_010n)
  // 3 minutes after the second release, only one is left in the window.
  expect(gates.isOpen(182_001)).toBe(false)
  expect(gates.recentReleases(182_001)).toBe(1)
})

test("an open gate closes after enough attempts in a row still find ids withheld; a release resets the run", () => {
  const gates = new FloodgateDetector(params)
  for (let i = 0; i < 3; i++) gates.noteReleased(BigInt(i + 1), 1_000)
  for (let i = 0; i < 4; i++) gates.noteBlocked()
  expect(gates.isOpen(1_000)).toBe(true)
  gates.noteReleased(9n, 1_000)
  for (let i = 0; i < 4; i++) gates.noteBlocked()
  expect(gates.isOpen(1_000)).toBe(true)
  gates.noteBlocked()
  expect(gates.isOpen(1_000)).toBe(false)
})

import { expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { checkTarget, meetsTarget, TARGETS } from "./targets.ts"

test("a bound is met on its own side only, and a value that is not a number never meets it", () => {
  expect(meetsTarget("writerRatio", TARGETS.writerRatio.bound)).toBe(true)
  expect(meetsTarget("writerRatio", TARGETS.writerRatio.bound - 0.01)).toBe(false)
  expect(meetsTarget("memoryPeakMb", TARGETS.memoryPeakMb.bound)).toBe(true)
  expect(meetsTarget("memoryPeakMb", TARGETS.memoryPeakMb.bound + 1)).toBe(false)
  expect(meetsTarget("frontierP50", Number.NaN)).toBe(false)
})

test("the printed line carries the value, the bound with its source, and the verdict", () => {
  expect(checkTarget("memoryPeakMb", 174)).toBe(
    "target Atlas peak RSS at full speed, ClickHouse aside (MB): 174.0 (target <= 150, performance issue) — MISSED",
  )
  expect(checkTarget("hermesOverhead", 0.9, "4×1, prefetch 2")).toContain("(4×1, prefetch 2): 0.900")
})

test("scenarios print targets only through the table (no bound written in a scenario)", () => {
  const dir = join(import.meta.dir, "..", "scenarios")
  const offenders = readdirSync(dir).filter((f) => f.endsWith(".ts") && readFileSync(join(dir, f), "utf8").includes("describeTarget("))
  expect(offenders).toEqual([])
})

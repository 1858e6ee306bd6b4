import { expect, test } from "bun:test"
import { cpuSecondsOfStat, readStatCpuSeconds } from "./proc-stat.ts"

test("utime + stime from a stat line whose command name holds spaces and parentheses", () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const stat = "4242 (Bun Pool (1) x) S 1 4242 4242 0 -1 4194560 900 0 3 0 1234 56 0 0 20 0 7 0 100 0"
  expect(cpuSecondsOfStat(stat)).toBeCloseTo(12.9, 10)
})

test("this process's own stat reads as a small, non-negative number of seconds", () => {
  const seconds = readStatCpuSeconds("/proc/self/stat")
  expect(seconds).toBeGreaterThanOrEqual(0)
  expect(seconds).toBeLessThan(24 * 3600)
  expect(() => readStatCpuSeconds("/proc/0/stat")).toThrow()
})

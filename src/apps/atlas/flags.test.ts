import { describe, expect, test } from "bun:test"
import { FlagError, parseFlags } from "./flags.ts"

describe("parseFlags", () => {
  test("defaults", () => {
    const flags = parseFlags([])
    expect(flags.from).toBeNull()
    expect(flags.to).toBeNull()
    expect(flags.sim).toBe(false)
    expect(flags.metricsPort).toBeNull()
  })

  test("every flag, both spellings, ids as bigint", () => {
    const flags = parseFlags([
      "--from",
      "17091200569",
      "--to=17091300569",
      "--sim",
      "--sim-seed",
      "7",
      "--metrics-port",
      "0",
      "--crawler",
      "bf-1",
    ])
    expect(flags.from).toBe(17091200569n)
    expect(flags.to).toBe(17091300569n)
    expect(flags.simSeed).toBe(7)
    expect(flags.sim).toBe(true)
    expect(flags.metricsPort).toBe(0)
    expect(flags.crawler).toBe("bf-1")
    expect(parseFlags(["--metrics-port", "off"]).metricsPort).toBe("off")
    expect(parseFlags(["-h"]).help).toBe(true)
  })

  test("ids beyond 2^53 keep every digit", () => {
    expect(parseFlags(["--from", "9007199254740993"]).from).toBe(9007199254740993n)
  })

  test("errors name the flag and the value", () => {
    const cases: [string[], RegExp][] = [
      [["--from", "12x"], /--from = "12x"/],
      [["--sim-seed", "x"], /--sim-seed = "x"/],
      [["--bogus"], /--bogus/],
      [["--to", "5"], /--to.*needs --from/],
      [["--from", "10", "--to", "5"], /below --from/],
      [["--metrics-port"], /--metrics-port/],
    ]
    for (const [argv, pattern] of cases) {
      expect(() => parseFlags(argv)).toThrow(FlagError)
      expect(() => parseFlags(argv)).toThrow(pattern)
    }
  })
})

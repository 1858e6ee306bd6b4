import { describe, expect, test } from "bun:test"
import { FlagError, parseFlags } from "./flags.ts"

describe("parseFlags", () => {
  test("defaults", () => {
    const flags = parseFlags([])
    expect(flags.from).toBeNull()
    expect(flags.to).toBeNull()
    expect(flags.sim).toBe(false)
    expect(flags.fetchers).toBeGreaterThan(0)
  })

  test("every flag, both spellings, ids as bigint", () => {
    const flags = parseFlags([
      "--from", "17091200569", "--to=17091300569", "--fetchers", "3", "--max-concurrency=40",
      "--source-addresses", "127.0.0.1, 127.0.0.2,::1", "--sim", "--metrics-port", "0", "--crawler", "bf-1",
    ])
    expect(flags.from).toBe(17091200569n)
    expect(flags.to).toBe(17091300569n)
    expect(flags.fetchers).toBe(3)
    expect(flags.maxConcurrency).toBe(40)
    expect(flags.sourceAddresses).toEqual(["127.0.0.1", "127.0.0.2", "::1"])
    expect(flags.sim).toBe(true)
    expect(flags.metricsPort).toBe(0)
    expect(flags.crawler).toBe("bf-1")
    expect(parseFlags(["--metrics-port", "off"]).metricsPort).toBeNull()
    expect(parseFlags(["-h"]).help).toBe(true)
  })

  test("ids beyond 2^53 keep every digit", () => {
    expect(parseFlags(["--from", "9007199254740993"]).from).toBe(9007199254740993n)
  })

  test("errors name the flag and the value", () => {
    const cases: [string[], RegExp][] = [
      [["--from", "12x"], /--from = "12x"/],
      [["--fetchers", "0"], /--fetchers = "0"/],
      [["--source-addresses", "300.1.1.1"], /300\.1\.1\.1/],
      [["--bogus"], /--bogus/],
      [["--to", "5"], /--to.*needs --from/],
      [["--from", "10", "--to", "5"], /below --from/],
      [["--fetchers"], /--fetchers/],
    ]
    for (const [argv, pattern] of cases) {
      expect(() => parseFlags(argv)).toThrow(FlagError)
      expect(() => parseFlags(argv)).toThrow(pattern)
    }
  })
})

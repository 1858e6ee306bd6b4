import { describe, expect, test } from "bun:test"
import { BenchArgError, parseBenchArgs } from "./args.ts"

describe("parseBenchArgs", () => {
  test("no scenario runs everything in quick mode", () => {
    const a = parseBenchArgs([])
    expect(a).toMatchObject({ all: true, quick: true, target: "sim", runs: 1, scenarios: [] })
  })
  test("scenarios, flags and inline values", () => {
    const a = parseBenchArgs(["ceiling", "writer", "--quick", "--target=real", "--fetchers", "3", "--seconds=2.5", "--sweep-of", "frontier"])
    expect(a).toMatchObject({ all: false, quick: true, target: "real", fetchers: 3, seconds: 2.5, sweepOf: "frontier", scenarios: ["ceiling", "writer"] })
  })
  test("errors name the flag and the value", () => {
    expect(() => parseBenchArgs(["--target", "prod"])).toThrow(/--target must be sim or real, got "prod"/)
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(BenchArgError)
    expect(() => parseBenchArgs(["--fetchers"])).toThrow(/needs a value/)
    expect(() => parseBenchArgs(["--bogus"])).toThrow(/unknown flag --bogus/)
  })
})

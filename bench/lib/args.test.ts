import { describe, expect, test } from "bun:test"
import { BenchArgError, parseBenchArgs } from "./args.ts"

describe("parseBenchArgs", () => {
  test("no scenario runs everything in quick mode", () => {
    const a = parseBenchArgs([])
    expect(a).toMatchObject({ all: true, quick: true, target: "sim", runs: 1, scenarios: [] })
  })
  test("scenarios, flags and inline values", () => {
    const a = parseBenchArgs([
      "ceiling",
      "writer",
      "--quick",
      "--target=real",
      "--fetchers",
      "3",
      "--seconds=2.5",
      "--sweep-of",
      "frontier",
    ])
    expect(a).toMatchObject({
      all: false,
      quick: true,
      target: "real",
      fetchers: 3,
      seconds: 2.5,
      sweepOf: "frontier",
      scenarios: ["ceiling", "writer"],
    })
  })
  test("errors name the flag and the value", () => {
    expect(() => parseBenchArgs(["--target", "prod"])).toThrow(/--target must be sim or real, got "prod"/)
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(BenchArgError)
    expect(() => parseBenchArgs(["--fetchers"])).toThrow(/needs a value/)
    expect(() => parseBenchArgs(["--bogus"])).toThrow(/unknown flag --bogus/)
    expect(() => parseBenchArgs(["frontier", "--target-404-share", "5"])).toThrow(/--target-404-share must be a share in \(0, 1\), got "5"/)
  })
  test("crawl tuning flags", () => {
    expect(parseBenchArgs(["frontier", "--batch-ms", "100", "--target-404-share=0.1"])).toMatchObject({ batchMs: 100, target404Share: 0.1 })
  })
})

import { describe, expect, test } from "bun:test"
import { renderHelp } from "../../src/lib/cli/render-help.ts"
import { UsageError } from "../../src/lib/cli/usage-error.ts"
import { BENCH_COMMAND, parseBenchArgs } from "./args.ts"

describe("parseBenchArgs", () => {
  test("no scenario runs everything in quick mode", () => {
    const a = parseBenchArgs([])
    expect(a).toMatchObject({ all: true, quick: true, target: "sim", runs: 1, scenarios: [], fetchers: null, sweepOf: "backfill" })
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
  test("soak length and runs", () => {
    expect(parseBenchArgs(["soak", "--minutes", "30"])).toMatchObject({ minutes: 30, soakOf: "both" })
    expect(parseBenchArgs(["soak", "--soak-of=alone"])).toMatchObject({ minutes: null, soakOf: "alone" })
    expect(() => parseBenchArgs(["soak", "--soak-of", "half"])).toThrow(/--soak-of "half": expected one of both, full, alone/)
  })
  test("errors name the flag and the value", () => {
    expect(() => parseBenchArgs(["--target", "prod"])).toThrow(/--target "prod": expected one of sim, real/)
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(UsageError)
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(/--runs "0": out of range/)
    expect(() => parseBenchArgs(["--fetchers"])).toThrow(/flag --fetchers needs a value/)
    expect(() => parseBenchArgs(["--bogus"])).toThrow(/unknown flag --bogus/)
    expect(() => parseBenchArgs(["frontier", "--target-404-share", "5"])).toThrow(
      /--target-404-share "5": out of range: expected a number in \[0, 0.5\]/,
    )
  })
  test("crawl tuning flags take Atlas's types and limits", () => {
    expect(parseBenchArgs(["frontier", "--batch-ms", "100", "--target-404-share=0.1"])).toMatchObject({ batchMs: 100, target404Share: 0.1 })
    expect(() => parseBenchArgs(["--fetchers", "65"])).toThrow(/--fetchers "65": out of range: expected an integer in \[1, 64\]/)
    expect(parseBenchArgs(["memory", "--heap-trim-s", "0"])).toMatchObject({ heapTrimS: 0 })
    expect(parseBenchArgs(["memory"])).toMatchObject({ heapTrimS: null })
    expect(renderHelp(BENCH_COMMAND)).toContain("Default: Atlas's (ATLAS_FETCHERS).")
  })
})

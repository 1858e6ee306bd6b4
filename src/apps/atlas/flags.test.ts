import { describe, expect, test } from "bun:test"
import { parseCommandLine } from "../../lib/cli/parse-command-line.ts"
import { renderHelp } from "../../lib/cli/render-help.ts"
import { UsageError } from "../../lib/cli/usage-error.ts"
import { ConfigError } from "../../lib/config/load-config.ts"
import { ATLAS_COMMAND, type AtlasCommandLine, checkAtlasFlags } from "./flags.ts"

function parse(argv: string[], env: Record<string, string> = {}): AtlasCommandLine {
  const parsed = parseCommandLine(ATLAS_COMMAND, argv, env)
  if (parsed.help) throw new Error("unexpected --help")
  checkAtlasFlags(parsed.flags)
  return parsed
}

describe("atlas command line", () => {
  test("defaults come from the tables", () => {
    const { flags, config } = parse([])
    expect(flags).toEqual({ from: null, to: null, sim: false, simSeed: 1, simScenario: "realistic", viaZeus: false, crawler: "atlas" })
    expect(config.ATLAS_FETCHERS).toBe(1)
    expect(config.ATLAS_METRICS_PORT).toBe(8080)
  })

  test("run flags and settings, both spellings; ids as bigint", () => {
    const { flags, config } = parse(
      ["--from", "17091200569", "--to=17091300569", "--sim", "--sim-seed", "7", "--metrics-port", "0", "--crawler", "bf-1", "--fetchers=4"],
      { ATLAS_FETCHERS: "3" },
    )
    expect(flags.from).toBe(17091200569n)
    expect(flags.to).toBe(17091300569n)
    expect(flags.sim).toBe(true)
    expect(flags.simSeed).toBe(7)
    expect(flags.crawler).toBe("bf-1")
    expect(config.ATLAS_METRICS_PORT).toBe(0)
    expect(config.ATLAS_FETCHERS).toBe(4)
    expect(parse(["--metrics-port", "off"]).config.ATLAS_METRICS_PORT).toBeNull()
    expect(parseCommandLine(ATLAS_COMMAND, ["-h"], {}).help).toBe(true)
  })

  test("ids beyond 2^53 keep every digit", () => {
    expect(parse(["--from", "9007199254740993"]).flags.from).toBe(9007199254740993n)
  })

  test("errors name the flag and the value", () => {
    const cases: [string[], RegExp][] = [
      [["--from", "12x"], /--from "12x": expected a positive decimal id/],
      [["--sim-seed", "x"], /--sim-seed "x"/],
      [["--bogus"], /unknown flag --bogus/],
      [["--to", "5"], /--to 5: a bounded backfill needs --from/],
      [["--from", "10", "--to", "5"], /below --from 10/],
      [["--metrics-port"], /flag --metrics-port needs a value/],
      [["--sim-scenario", "stormy"], /--sim-scenario "stormy": expected one of calm, realistic, hostile, backfill/],
      [["17000"], /unexpected argument "17000"/],
    ]
    for (const [argv, pattern] of cases) {
      expect(() => parse(argv)).toThrow(UsageError)
      expect(() => parse(argv)).toThrow(pattern)
    }
    expect(() => parse(["--fetchers", "0"])).toThrow(ConfigError)
    expect(() => parse(["--fetchers", "0"])).toThrow(/ATLAS_FETCHERS \(--fetchers\)="0": out of range/)
  })

  test("--help lists every flag with its type, default and environment key", () => {
    const help = renderHelp(ATLAS_COMMAND)
    expect(help.startsWith("Usage: bun run atlas [flags]")).toBe(true)
    for (const flag of [
      "--from <id>",
      "--sim-scenario <calm|realistic|hostile|backfill>",
      "--fetchers <n>",
      "--database-url <url>",
      "-v, --verbose",
    ]) {
      expect(help).toContain(`  ${flag}`)
    }
    expect(help).toContain("integer 1..64; default 1; env ATLAS_FETCHERS")
    expect(help).toContain('port 0..65535 (0 = any free port, "off" = none); default 8080; env ATLAS_METRICS_PORT')
  })
})

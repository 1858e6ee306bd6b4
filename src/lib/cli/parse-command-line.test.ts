import { describe, expect, test } from "bun:test"
import { APP_COMMANDS } from "../config/apps.ts"
import type { CommandSpec } from "../config/command-spec.ts"
import { ConfigError } from "../config/load-config.ts"
import { buildFlagTable } from "./flag-table.ts"
import { type CommandLine, parseCommandLine } from "./parse-command-line.ts"
import { UsageError } from "./usage-error.ts"

const DEMO = {
  name: "demo",
  usage: "demo [flags] [item ...]",
  summary: "A command for the parser's tests.",
  sections: ["shared"],
  flags: {
    dryRun: { type: "boolean", default: false, description: "Change nothing." },
    limit: { type: "int", default: 10, min: 1, max: 100, description: "Most items." },
    since: { type: "id", default: null, description: "First id." },
  },
  positionals: { name: "item", description: "Items.", max: 2 },
} as const satisfies CommandSpec

function parse(argv: string[], env: Record<string, string> = {}): CommandLine<typeof DEMO> {
  const parsed = parseCommandLine(DEMO, argv, env)
  if (parsed.help) throw new Error("unexpected --help")
  return parsed
}

function usageErrorOf(argv: string[]): string {
  try {
    parse(argv)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`expected a UsageError for ${argv.join(" ")}`)
}

describe("parseCommandLine", () => {
  test("run flags typed from their specs, settings from env and flags, positionals", () => {
    const cli = parse(["a", "--dry-run", "--limit=7", "--since", "9007199254740993", "--data-dir", "/tmp/x", "b"], { DATA_DIR: "/env" })
    expect(cli.flags).toEqual({ dryRun: true, limit: 7, since: 9007199254740993n })
    expect(cli.config.DATA_DIR).toBe("/tmp/x")
    expect(cli.positionals).toEqual(["a", "b"])
    expect(cli.verbose).toBe(false)
    expect(parse([]).flags).toEqual({ dryRun: false, limit: 10, since: null })
  })

  test("-v / --verbose means LOG_LEVEL debug, over the environment", () => {
    expect(parse(["-v"], { LOG_LEVEL: "warn" }).config.LOG_LEVEL).toBe("debug")
    expect(parse(["--verbose"]).verbose).toBe(true)
    expect(parse([], { LOG_LEVEL: "warn" }).config.LOG_LEVEL).toBe("warn")
  })

  test("--help wins over a bad environment, not over a malformed command line", () => {
    expect(parseCommandLine(DEMO, ["--help"], { DATABASE_URL: "nope", RAIDHUB_FETCHERS: "2" }).help).toBe(true)
    expect(parseCommandLine(DEMO, ["-h", "--limit", "0"], {}).help).toBe(true)
    expect(() => parseCommandLine(DEMO, ["--help", "--bogus"], {})).toThrow(UsageError)
  })

  test("malformed command lines are UsageErrors naming the flag", () => {
    expect(usageErrorOf(["--bogus"])).toBe("unknown flag --bogus (see --help)")
    expect(usageErrorOf(["-x"])).toBe("unknown flag -x (see --help)")
    expect(usageErrorOf(["--limit"])).toBe("flag --limit needs a value")
    expect(usageErrorOf(["--limit", "--dry-run"])).toBe('flag --limit needs a value (for a value starting with "-", write --limit=<value>)')
    expect(usageErrorOf(["--dry-run=yes"])).toBe("flag --dry-run takes no value")
    expect(usageErrorOf(["a", "b", "c"])).toBe("at most 2 item argument(s), got 3 (see --help)")
    expect(usageErrorOf(["--limit", "0", "--since", "x"])).toBe(
      '--limit "0": out of range: expected an integer in [1, 100]; --since "x": expected a positive decimal id (see --help)',
    )
  })

  test("a positional where none is allowed", () => {
    const noPositionals = { ...DEMO, positionals: undefined }
    expect(() => parseCommandLine(noPositionals, ["extra"], {})).toThrow('unexpected argument "extra"')
  })

  test("a bad setting, from a flag or the environment, is a ConfigError naming the key", () => {
    expect(() => parse(["--log-level", "loud"])).toThrow(ConfigError)
    expect(() => parse(["--log-level", "loud"])).toThrow(/LOG_LEVEL \(--log-level\)="loud": expected one of/)
    expect(() => parse([], { DATABASE_URL: "nope" })).toThrow(/DATABASE_URL="nope": malformed URL/)
    // A flag of another section is unknown here.
    expect(usageErrorOf(["--fetchers", "2"])).toBe("unknown flag --fetchers (see --help)")
  })
})

describe("flag tables", () => {
  test("no app's flags collide (shared settings, its section, its run flags, -h, -v)", () => {
    for (const command of APP_COMMANDS) expect(() => buildFlagTable(command)).not.toThrow()
  })

  test("a collision is reported as a bug in the spec", () => {
    const clash = { ...DEMO, flags: { ...DEMO.flags, dataDir: { type: "string", default: null, description: "clash" } } } as const
    expect(() => buildFlagTable(clash)).toThrow("demo: flag --data-dir is defined twice")
  })
})

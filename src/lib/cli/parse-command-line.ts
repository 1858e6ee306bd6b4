/**
 * The one command-line parser: `node:util` parseArgs in strict mode over a command's flag table.
 * Config flags are handed to the config loader (flags win over the environment), run flags are
 * parsed against their specs, -v/--verbose means LOG_LEVEL=debug. A flag the command does not
 * know, a missing value or a bad value is a UsageError (run flags) or ConfigError (settings),
 * naming the flag.
 */
import { parseArgs } from "node:util"
import type { CommandSpec, FlagsOf } from "../config/command-spec.ts"
import { type Env, loadConfig } from "../config/load-config.ts"
import type { ConfigKey, ConfigOf } from "../config/sections.ts"
import { parseValue } from "../config/value-spec.ts"
import { buildFlagTable } from "./flag-table.ts"
import { UsageError } from "./usage-error.ts"

export interface CommandLine<C extends CommandSpec> {
  help: false
  /** -v / --verbose: debug logs, stack traces on unexpected errors. */
  verbose: boolean
  config: ConfigOf<C["sections"][number]>
  flags: FlagsOf<C>
  positionals: readonly string[]
}

export type ParsedCommandLine<C extends CommandSpec> = CommandLine<C> | { help: true }

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"]

/** Parses argv (without runtime and script) for `command`. --help wins over everything but a malformed line. */
export function parseCommandLine<C extends CommandSpec>(command: C, argv: readonly string[], env: Env): ParsedCommandLine<C> {
  const table = buildFlagTable(command)
  const options: ParseArgsOptions = {}
  for (const [flag, target] of table) {
    const isBoolean = target.kind === "help" || target.kind === "verbose" || target.spec.type === "boolean"
    options[flag] = { type: isBoolean ? "boolean" : "string" }
    // A list flag may be repeated; its occurrences are joined into one comma-separated value.
    if (target.kind !== "help" && target.kind !== "verbose" && target.spec.type === "list") options[flag].multiple = true
    if (target.kind === "help") options[flag].short = "h"
    if (target.kind === "verbose") options[flag].short = "v"
  }
  const values: Record<string, string | boolean | undefined> = {}
  let positionals: string[]
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: command.positionals !== undefined }) as {
      values: Record<string, string | boolean | string[] | undefined>
      positionals: string[]
    }
    for (const [flag, value] of Object.entries(parsed.values)) values[flag] = Array.isArray(value) ? value.join(",") : value
    positionals = parsed.positionals
  } catch (error) {
    throw translateParseError(error)
  }
  if (values.help === true) return { help: true }
  if (command.positionals && positionals.length > command.positionals.max) {
    throw new UsageError(
      `at most ${command.positionals.max} ${command.positionals.name} argument(s), got ${positionals.length} (see --help)`,
    )
  }

  const configValues: Partial<Record<ConfigKey, string>> = {}
  const flags: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [flag, target] of table) {
    if (target.kind === "config") {
      const value = values[flag]
      if (value !== undefined) configValues[target.key] = typeof value === "boolean" ? String(value) : value
    } else if (target.kind === "run") {
      const value = values[flag]
      if (value === undefined) flags[target.name] = target.spec.default
      else if (typeof value === "boolean") flags[target.name] = value
      else {
        const parsed = parseValue(target.spec, value.trim())
        if (parsed.ok) flags[target.name] = parsed.value
        else problems.push(`--${flag} ${JSON.stringify(value)}: ${parsed.reason}`)
      }
    }
  }
  if (problems.length > 0) throw new UsageError(`${problems.join("; ")} (see --help)`)
  const verbose = values.verbose === true
  if (verbose && command.sections.includes("shared")) configValues.LOG_LEVEL = "debug"
  const config = loadConfig(command.sections, env, configValues) as ConfigOf<C["sections"][number]>
  return { help: false, verbose, config, flags: Object.freeze(flags) as FlagsOf<C>, positionals }
}

/** parseArgs' errors, reworded to name the flag the way our messages do. */
function translateParseError(error: unknown): Error {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  const token = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? /'([^']+)'/.exec(message)?.[1] ?? "?"
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown flag ${token} (see --help)`)
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`unexpected argument ${JSON.stringify(token)} (flags start with --; see --help)`)
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("does not take an argument")) return new UsageError(`flag ${token} takes no value`)
      if (message.includes("ambiguous"))
        return new UsageError(`flag ${token} needs a value (for a value starting with "-", write ${token}=<value>)`)
      return new UsageError(`flag ${token} needs a value`)
    default:
      return error instanceof Error ? error : new Error(message)
  }
}

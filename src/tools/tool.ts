/**
 * The contract every `bun run tool <name>` module fulfils. A tool parses its argv with the one
 * command-line parser (src/lib/cli: runCommand over its CommandSpec), so its --help is generated
 * and its errors are one line with exit code 2.
 */
import type { CommandIo } from "../lib/cli/run-main.ts"

/** Where a tool writes; injectable so tests can capture output without spawning. */
export interface ToolIo {
  /** One line to stdout (newline added). */
  out(line: string): void
  /** One line to stderr (newline added). */
  err(line: string): void
  env: Record<string, string | undefined>
}

export interface Tool {
  name: string
  /** One line, shown by `bun run tool --help`. */
  description: string
  /** Full usage text (generated from the tool's command spec), shown by `bun run tool <name> --help`. */
  usage: string
  /** Runs the tool; resolves to the process exit code (0 ok, 1 failure, 2 bad usage, configuration or unreachable service). */
  run(argv: readonly string[], io: ToolIo): Promise<number>
}

export function createProcessIo(): ToolIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }
}

/** The runCommand io of a tool run. */
export function toCommandIo(argv: readonly string[], io: ToolIo): CommandIo {
  return { argv, env: io.env, out: io.out, err: io.err }
}

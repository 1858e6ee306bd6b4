/**
 * The contract every `bun run tool <name>` module fulfils.
 */

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
  /** Full usage text, shown by `bun run tool <name> --help`. */
  usage: string
  /** Runs the tool; resolves to the process exit code (0 ok, 1 failure, 2 bad usage). */
  run(argv: readonly string[], io: ToolIo): Promise<number>
}

export function createProcessIo(): ToolIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }
}

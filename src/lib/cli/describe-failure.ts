/**
 * Turns what ended a program into what to print and the exit code. Expected failures (bad flag,
 * bad setting, unreachable service, busy port) are one line naming what to change, exit 2.
 * Anything else is a bug: its message, exit 1, and its stack only when asked for (-v).
 */
import { type CommandSpec, runFlagNameOf } from "../config/command-spec.ts"
import { ConfigError } from "../config/load-config.ts"
import { flagNameOf, keysOf, specOf } from "../config/sections.ts"
import { ServiceUnavailableError } from "../runtime/wait-for-service.ts"
import { UsageError } from "./usage-error.ts"

export interface Failure {
  exitCode: 1 | 2
  /** Printed as is (one line for expected failures). */
  text: string
}

export interface FailureContext {
  name: string
  /** The command, when the failure came after its flags were known (port settings). */
  command?: CommandSpec
  /** Parsed settings and run flags, when parsing got that far (which setting holds a busy port). */
  values?: Readonly<Record<string, unknown>>
  verbose: boolean
}

export function describeFailure(error: unknown, context: FailureContext): Failure {
  const prefix = `${context.name}: `
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ServiceUnavailableError) {
    return { exitCode: 2, text: prefix + oneLine(error.message) }
  }
  const port = busyPortOf(error)
  if (port !== null) return { exitCode: 2, text: prefix + describeBusyPort(port, context) }
  const message = error instanceof Error ? error.message : String(error)
  const stack = context.verbose && error instanceof Error && error.stack ? `\n${error.stack}` : ""
  return { exitCode: 1, text: prefix + oneLine(message) + stack }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim()
}

/** The port of an "address in use" error (Bun.serve, node:net, checkPortFree), else null. */
function busyPortOf(error: unknown): number | null {
  if ((error as { code?: unknown } | null)?.code !== "EADDRINUSE") return null
  const port = (error as { port?: unknown }).port
  if (typeof port === "number") return port
  const match = /port (\d+)|:(\d+)\b/.exec(error instanceof Error ? error.message : "")
  return match ? Number(match[1] ?? match[2]) : null
}

interface PortSetting {
  label: string
  value: unknown
}

function describeBusyPort(port: number, context: FailureContext): string {
  const settings: PortSetting[] = []
  for (const section of context.command?.sections ?? []) {
    for (const key of keysOf(section)) {
      if (specOf(key)?.type === "port") settings.push({ label: `${key} or --${flagNameOf(key)}`, value: context.values?.[key] })
    }
  }
  for (const [name, spec] of Object.entries(context.command?.flags ?? {})) {
    if (spec.type === "port") settings.push({ label: `--${runFlagNameOf(name)}`, value: context.values?.[name] })
  }
  const holding = settings.filter((s) => s.value === port)
  const named = holding.length > 0 ? holding : settings
  if (named.length === 0) return `port ${port} is in use`
  return `port ${port} is in use: set ${named.map((s) => s.label).join(", or ")} (0 = any free port)`
}

/**
 * The schedule (ops/schedule), crontab-style and in UTC. One job per line:
 *
 *   <minute> <hour> <day of month> <month> <day of week>  <name>  <timeout>  <tool> [args] [&& <tool> [args] ...]
 *
 * e.g. `*\/15 * * * *  hades  14m  process-missed-pgcrs`. The five time fields are standard cron
 * (parsed by croner: ranges, lists, steps, month and weekday names); `name` identifies the job
 * (its lock, metrics and state); `timeout` (90s, 14m, 2h) bounds the whole run; the command is
 * one or more `bun run tool` invocations chained with `&&` (the next runs only when the previous
 * exited 0). No shell is involved: arguments are split on whitespace and passed as they are.
 * Blank lines and lines starting with # are ignored. A job may have several lines (several
 * patterns, e.g. more often around the weekly reset) when they agree on timeout and command: it
 * stays one job with one lock, firing at the earliest of its patterns. Parsing is pure; errors
 * name the line.
 */
import { Cron } from "croner"

export interface ScheduleEntry {
  name: string
  /** The cron patterns as written (five fields each; several when the job has several lines). */
  cron: string
  timeoutMs: number
  /** Tool invocations, run in order: [tool, ...args]. */
  steps: string[][]
  /** 1-based line in the file (messages). */
  line: number
  /** The next fire time strictly after `after` (UTC), or null when the pattern never fires again. */
  next(after: Date): Date | null
}

export class ScheduleError extends Error {
  override name = "ScheduleError"
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/
const TIMEOUT = /^(\d{1,5})(s|m|h)$/
const TOOL = /^[a-z0-9][a-z0-9-]*$/
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const
const MAX_TIMEOUT_MS = 24 * 3_600_000
const CRON_FIELDS = 5

/** Parses a timeout like 90s, 14m or 2h; null when malformed or outside 1 s .. 24 h. */
export function parseTimeout(text: string): number | null {
  const match = TIMEOUT.exec(text)
  if (!match) return null
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  return ms >= 1_000 && ms <= MAX_TIMEOUT_MS ? ms : null
}

/** Compiles five cron fields (UTC); throws ScheduleError naming the problem. */
export function compileCron(fields: string): (after: Date) => Date | null {
  let cron: Cron
  try {
    cron = new Cron(fields, { timezone: "UTC", paused: true, mode: "5-part" })
  } catch (error) {
    throw new ScheduleError(`bad cron expression "${fields}": ${error instanceof Error ? error.message : String(error)}`)
  }
  return (after) => cron.nextRun(after)
}

/** Parses the schedule; throws ScheduleError naming the line of the first problem. */
export function parseSchedule(text: string): ScheduleEntry[] {
  const entries = new Map<string, ScheduleEntry & { patterns: ((after: Date) => Date | null)[] }>()
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    if (raw === "" || raw.startsWith("#")) continue
    const fail = (reason: string): never => {
      throw new ScheduleError(`line ${i + 1}: ${reason}`)
    }
    const tokens = raw.split(/\s+/)
    if (tokens.length < CRON_FIELDS + 3) fail("expected <5 cron fields> <name> <timeout> <tool> [args]")
    const cron = tokens.slice(0, CRON_FIELDS).join(" ")
    const [name, timeout, ...command] = tokens.slice(CRON_FIELDS) as [string, string, ...string[]]
    if (!NAME.test(name)) fail(`bad job name "${name}" (lower-case letters, digits and -)`)
    const timeoutMs = parseTimeout(timeout) ?? fail(`bad timeout "${timeout}" (e.g. 90s, 14m, 2h; at most 24h)`)
    const steps = splitSteps(command).map((step) => {
      if (step.length === 0) fail('empty command around "&&"')
      if (!TOOL.test(step[0]!)) fail(`bad tool name "${step[0]}"`)
      return step
    })
    let pattern: (after: Date) => Date | null = () => null
    try {
      pattern = compileCron(cron)
    } catch (error) {
      fail((error as Error).message)
    }
    const known = entries.get(name)
    if (known) {
      if (known.timeoutMs !== timeoutMs || JSON.stringify(known.steps) !== JSON.stringify(steps)) {
        fail(`job "${name}" is defined again with another timeout or command (line ${known.line})`)
      }
      known.patterns.push(pattern)
      known.cron = `${known.cron}; ${cron}`
      continue
    }
    const patterns = [pattern]
    entries.set(name, { name, cron, timeoutMs, steps, line: i + 1, patterns, next: (after) => earliest(patterns, after) })
  }
  return [...entries.values()].map(({ patterns: _patterns, ...entry }) => entry)
}

function earliest(patterns: readonly ((after: Date) => Date | null)[], after: Date): Date | null {
  let best: Date | null = null
  for (const next of patterns) {
    const at = next(after)
    if (at !== null && (best === null || at.getTime() < best.getTime())) best = at
  }
  return best
}

function splitSteps(tokens: readonly string[]): string[][] {
  const steps: string[][] = [[]]
  for (const token of tokens) {
    if (token === "&&") steps.push([])
    else steps.at(-1)!.push(token)
  }
  return steps
}

/**
 * Steps naming a tool the registry does not have, as "job: tool". The scheduler warns about them
 * at start (and `--check` fails on them) rather than refusing to run the other jobs: a schedule
 * may name a tool another part of the system adds later, and such a run fails visibly (exit 2).
 */
export function findUnknownTools(entries: readonly ScheduleEntry[], knownTools: ReadonlySet<string>): string[] {
  return entries.flatMap((entry) => entry.steps.filter((step) => !knownTools.has(step[0]!)).map((step) => `${entry.name}: ${step[0]}`))
}

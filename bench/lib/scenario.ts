/** What every `bun run bench` scenario implements. */
import type { BenchArgs } from "./args.ts"
import type { Row } from "./report.ts"

export interface ScenarioContext {
  args: BenchArgs
  quick: boolean
  /** One progress line on stderr. */
  progress(message: string): void
}

export interface ScenarioOutput {
  /** Headline for the summary table. */
  title: string
  /** One or more tables (a scenario with several parts prints one table per part). */
  tables: { title?: string; rows: Row[] }[]
  /** Everything worth keeping, written to bench/results/<scenario>.json. */
  result: Record<string, unknown>
  /** Lines printed under the table: how cores were shared, targets met or missed. */
  notes: string[]
}

export interface Scenario {
  name: string
  summary: string
  /** Part of the default run (`bun run bench` with no scenario). */
  core: boolean
  /** Runs against Bungie itself with --target real (frontier, sweep); others refuse it. */
  supportsReal?: boolean
  run(ctx: ScenarioContext): Promise<ScenarioOutput>
}

/** A DESIGN target check as a printable line; a miss says its number, never hides it. */
export function describeTarget(name: string, value: number, target: string, met: boolean): string {
  const shown = Number.isFinite(value) ? (Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(3)) : "n/a"
  return `target ${name}: ${shown} (target ${target}) — ${met ? "MET" : "MISSED"}`
}

/** A scenario refusing to run (e.g. --target real without BUNGIE_API_KEY): bench exits 2 with its message. */
export class RefusedError extends Error {
  override name = "RefusedError"
}

/**
 * `bun run bench [scenario ...] [--quick] [--target sim|real] [--runs N] ...` — see bench/README.md.
 *
 * Progress goes to stderr, the summary tables to stdout, one JSON result file per scenario to
 * bench/results/<scenario>.json (with --runs N: every run is kept in it). No scenario = every
 * core scenario, quick. Benchmarks report numbers; they never assert a time.
 */
import type { CommandLine } from "../src/lib/cli/parse-command-line.ts"
import { runMain } from "../src/lib/cli/run-main.ts"
import { UsageError } from "../src/lib/cli/usage-error.ts"
import { BENCH_COMMAND, type BenchArgs, toBenchArgs } from "./lib/args.ts"
import { renderTable, reportProgress, writeResult } from "./lib/report.ts"
import { RefusedError, type Scenario, type ScenarioOutput } from "./lib/scenario.ts"
import { findScenario, SCENARIOS } from "./scenarios/index.ts"

function describeScenarios(): string {
  const lines = SCENARIOS.map((s) => `  ${s.name.padEnd(17)}${s.core ? "" : "(extra) "}${s.summary}`)
  return `Scenarios (no scenario: every core scenario with --quick):
${lines.join("\n")}

--target real (frontier, sweep) crawls Bungie itself; needs BUNGIE_API_KEY.`
}

/** The bench's command line, its --help listing the scenarios. */
const COMMAND = { ...BENCH_COMMAND, notes: describeScenarios() }

async function runScenario(scenario: Scenario, args: BenchArgs): Promise<ScenarioOutput[]> {
  const outputs: ScenarioOutput[] = []
  for (let run = 1; run <= args.runs; run++) {
    const label = args.runs > 1 ? `${scenario.name} run ${run}/${args.runs}` : scenario.name
    const started = performance.now()
    reportProgress(`${label}: start${args.quick ? " (quick)" : ""}`)
    const output = await scenario.run({ args, quick: args.quick, progress: (m) => reportProgress(`${label}: ${m}`) })
    const seconds = (performance.now() - started) / 1000
    reportProgress(`${label}: done in ${seconds.toFixed(1)}s`)
    output.result.wallSeconds = Math.round(seconds * 10) / 10
    outputs.push(output)
    printOutput(args.runs > 1 ? { ...output, title: `${output.title} [run ${run}]` } : output, seconds)
  }
  const file = writeResult(scenario.name, {
    quick: args.quick,
    target: args.target,
    args: { ...args, scenarios: undefined },
    runs: outputs.map((o) => ({ tables: o.tables, notes: o.notes, ...o.result })),
  })
  reportProgress(`${scenario.name}: wrote ${file}`)
  return outputs
}

function printOutput(output: ScenarioOutput, seconds: number): void {
  const parts = [`\n== ${output.title} (${seconds.toFixed(0)} s)`]
  for (const table of output.tables) {
    if (table.title) parts.push(`-- ${table.title}`)
    parts.push(renderTable(table.rows))
  }
  for (const note of output.notes) parts.push(note)
  process.stdout.write(`${parts.join("\n")}\n`)
}

async function main(cli: CommandLine<typeof COMMAND>): Promise<number> {
  const args = toBenchArgs(cli)
  const selected: Scenario[] = []
  if (args.all) {
    process.stderr.write(`${describeScenarios()}\n`)
    selected.push(...SCENARIOS.filter((s) => s.core && (args.target === "sim" || s.supportsReal)))
  } else {
    for (const name of args.scenarios) {
      const scenario = findScenario(name)
      if (!scenario) throw new UsageError(`unknown scenario ${JSON.stringify(name)} (known: ${SCENARIOS.map((s) => s.name).join(", ")})`)
      if (args.target === "real" && !scenario.supportsReal) {
        throw new UsageError(
          `${name} runs against the simulator only; --target real applies to ${SCENARIOS.filter((s) => s.supportsReal)
            .map((s) => s.name)
            .join(" and ")}`,
        )
      }
      selected.push(scenario)
    }
  }
  if (selected.length > 1) return await runIsolated(selected, args)
  let failed = 0
  for (const scenario of selected) {
    try {
      await runScenario(scenario, args)
    } catch (error) {
      if (error instanceof RefusedError) {
        process.stderr.write(`bench: ${scenario.name} refused: ${error.message}\n`)
        return 2
      }
      failed++
      process.stderr.write(`bench: ${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    }
  }
  return failed === 0 ? 0 : 1
}

/**
 * Several scenarios: each in its own child process (`bun bench/main.ts <name> ...`), so no state
 * leaks between them — libchdb binds one data directory per process, memory is not shared, and a
 * crash stays contained.
 */
async function runIsolated(selected: readonly Scenario[], args: BenchArgs): Promise<number> {
  const passThrough = process.argv.slice(2).filter((a) => !SCENARIOS.some((s) => s.name === a))
  if (args.quick && !passThrough.includes("--quick")) passThrough.push("--quick")
  let failed = 0
  for (const scenario of selected) {
    const child = Bun.spawn([process.execPath, import.meta.path, scenario.name, ...passThrough], { stdout: "inherit", stderr: "inherit" })
    const code = await child.exited
    if (code !== 0) {
      failed++
      reportProgress(`${scenario.name}: exited with ${code}`)
    }
  }
  return failed === 0 ? 0 : 1
}

await runMain(COMMAND, main)

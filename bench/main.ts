/**
 * `bun run bench [scenario ...] [--quick] [--target sim|real] [--runs N] ...` — see bench/README.md.
 *
 * Progress goes to stderr, the summary tables to stdout, one JSON result file per scenario to
 * bench/results/<scenario>.json (with --runs N: every run is kept in it). No scenario = every
 * core scenario, quick. Benchmarks report numbers; they never assert a time.
 */
import { BenchArgError, type BenchArgs, parseBenchArgs } from "./lib/args.ts"
import { renderTable, reportProgress, writeResult } from "./lib/report.ts"
import { RefusedError, type Scenario, type ScenarioOutput } from "./lib/scenario.ts"
import { findScenario, SCENARIOS } from "./scenarios/index.ts"

function describeUsage(): string {
  const lines = SCENARIOS.map((s) => `  ${s.name.padEnd(17)}${s.core ? "" : "(extra) "}${s.summary}`)
  return `Usage: bun run bench [scenario ...] [--quick] [--target sim|real] [--runs N]
                     [--fetchers N] [--max-concurrency N] [--batch-size N] [--addresses N] [--seconds S]
                     [--sweep-of backfill|frontier]

No scenario: runs every core scenario with --quick.
Scenarios:
${lines.join("\n")}

--target real (frontier, sweep) crawls Bungie itself; needs BUNGIE_API_KEY.
`
}

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

async function main(): Promise<number> {
  let args: BenchArgs
  try {
    args = parseBenchArgs(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof BenchArgError)) throw error
    process.stderr.write(`bench: ${error.message}\n\n${describeUsage()}`)
    return 2
  }
  if (args.help) {
    process.stdout.write(describeUsage())
    return 0
  }
  const selected: Scenario[] = []
  if (args.all) {
    process.stderr.write(describeUsage())
    selected.push(...SCENARIOS.filter((s) => s.core && (args.target === "sim" || s.supportsReal)))
  } else {
    for (const name of args.scenarios) {
      const scenario = findScenario(name)
      if (!scenario) {
        process.stderr.write(`bench: unknown scenario ${JSON.stringify(name)}\n\n${describeUsage()}`)
        return 2
      }
      if (args.target === "real" && !scenario.supportsReal) {
        process.stderr.write(
          `bench: ${name} runs against the simulator only; --target real applies to ${SCENARIOS.filter((s) => s.supportsReal)
            .map((s) => s.name)
            .join(" and ")}\n`,
        )
        return 2
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

process.exit(await main())

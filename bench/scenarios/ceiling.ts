/**
 * `ceiling`: fetch + JSON.parse of simulator PGCRs, no processing or storage, at Atlas' thread
 * count and concurrency. The machine's limit for this work; `backfill` divides by it.
 * The simulator (`backfill` scenario: unthrottled, no latency) runs in its own process.
 */
import { type CpuShare, startCpuWindow } from "../lib/cpu.ts"
import { resolveCrawlSettings, SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import { type FetchParseResult, runFetchParse } from "../lib/fetch-parse.ts"
import type { Scenario, ScenarioContext } from "../lib/scenario.ts"
import { type SimProcess, spawnSim } from "../lib/sim-process.ts"

/** Ids far below the sim's start: published, fresh (never generated before), clear of the dead block. */
export const CEILING_OFFSET = 5_000_000n

export function spawnBackfillSim(): Promise<SimProcess> {
  return spawnSim({ scenario: "backfill", seed: SIM_SEED })
}

export interface CeilingMeasurement extends FetchParseResult {
  cpu: CpuShare
}

/** Measures the ceiling against a running unthrottled sim over fresh ids starting at fromId. */
export async function measureCeiling(ctx: ScenarioContext, sim: SimProcess, fromId: bigint, seconds: number): Promise<CeilingMeasurement> {
  const s = resolveCrawlSettings(ctx.args)
  ctx.progress(`ceiling: ${s.fetchers} fetcher threads × ${Math.ceil(s.maxConcurrency / s.fetchers)} lanes for ${seconds}s`)
  // A warm-up on other ids opens connections and JITs both the parse path and the sim's
  // generator (a fresh sim process is markedly slower for its first seconds).
  await runFetchParse({
    url: sim.url,
    apiKey: SIM_API_KEY,
    fromId: fromId - 100_000n,
    toId: fromId,
    fetchers: s.fetchers,
    concurrency: s.maxConcurrency,
    seconds: 3,
  })
  const cpuWindow = startCpuWindow(sim.pid)
  const result = await runFetchParse({
    url: sim.url,
    apiKey: SIM_API_KEY,
    fromId,
    toId: fromId + 10_000_000n,
    fetchers: s.fetchers,
    concurrency: s.maxConcurrency,
    seconds,
  })
  const cpu = cpuWindow.stop()
  ctx.progress(`ceiling: ${result.pgcrPerSecond.toFixed(0)} PGCR/s (p50 ${result.latencyMs.p50.toFixed(1)} ms)`)
  return { ...result, cpu }
}

export function describeCeilingRow(m: CeilingMeasurement): Record<string, string | number> {
  return {
    case: "fetch+parse",
    threads: m.fetchers,
    lanes: m.lanesPerFetcher,
    "PGCR/s": m.pgcrPerSecond,
    ok: m.ok,
    other: m.other,
    "p50 ms": m.latencyMs.p50,
    "p90 ms": m.latencyMs.p90,
    "p99 ms": m.latencyMs.p99,
    "max ms": m.latencyMs.max,
    "bench cores": m.cpu.benchCores,
    "sim cores": m.cpu.simCores,
  }
}

export const ceilingScenario: Scenario = {
  name: "ceiling",
  summary: "fetch + JSON.parse of simulator PGCRs at Atlas' threads/concurrency, no processing or storage",
  core: true,
  async run(ctx) {
    const seconds = ctx.args.seconds ?? (ctx.quick ? 8 : 20)
    const sim = await spawnBackfillSim()
    try {
      const m = await measureCeiling(ctx, sim, sim.startId - CEILING_OFFSET, seconds)
      return {
        title: `ceiling — fetch + JSON.parse, ${m.fetchers} threads, sim in its own process (backfill scenario)`,
        tables: [{ rows: [describeCeilingRow(m)] }],
        result: { ...m },
        notes: [
          `cores: bench process ${m.cpu.benchCores}, simulator process ${m.cpu.simCores} (of 2) over ${m.cpu.wallSeconds}s; mean body ${m.meanBytes} B`,
          "every id is fresh (the sim generates each PGCR once), so the sim's generation cost is part of this machine's limit",
        ],
      }
    } finally {
      await sim.stop()
    }
  },
}

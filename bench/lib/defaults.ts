/**
 * Atlas' defaults as the benchmarks use them, taken from the shared config table so a change
 * there moves the benchmarks too (RAIDHUB_FETCHERS, RAIDHUB_MAX_CONCURRENCY, RAIDHUB_BATCH_*).
 */
import { loadConfig } from "../../src/lib/config.ts"
import type { BenchArgs } from "./args.ts"

export interface CrawlSettings {
  fetchers: number
  maxConcurrency: number
  batchSize: number
  batchMs: number
  target404Share: number
}

export function resolveCrawlSettings(args: BenchArgs): CrawlSettings {
  const config = loadConfig({}, [])
  return {
    fetchers: args.fetchers ?? config.RAIDHUB_FETCHERS,
    maxConcurrency: args.maxConcurrency ?? config.RAIDHUB_MAX_CONCURRENCY,
    batchSize: args.batchSize ?? config.RAIDHUB_BATCH_SIZE,
    batchMs: args.batchMs ?? config.RAIDHUB_BATCH_MAX_MS,
    target404Share: args.target404Share ?? config.RAIDHUB_TARGET_404_SHARE,
  }
}

/** Key the benchmarks send to the simulator (it requires one, any value). */
export const SIM_API_KEY = "bench-sim-key"
/** Seed for every benchmark simulator: same world in every run. */
export const SIM_SEED = "raidhub-bench"

/**
 * Atlas' defaults as the benchmarks use them, taken from Atlas's config section so a change
 * there moves the benchmarks too (ATLAS_FETCHERS, ATLAS_MAX_CONCURRENCY, ATLAS_BATCH_*, ATLAS_HEAP_TRIM_S).
 */
import { loadConfig } from "../../src/lib/config/load-config.ts"
import type { BenchArgs } from "./args.ts"

export interface CrawlSettings {
  fetchers: number
  maxConcurrency: number
  batchSize: number
  batchMs: number
  target404Share: number
  heapTrimMs: number
}

export function resolveCrawlSettings(args: BenchArgs): CrawlSettings {
  const config = loadConfig(["atlas"], {})
  return {
    fetchers: args.fetchers ?? config.ATLAS_FETCHERS,
    maxConcurrency: args.maxConcurrency ?? config.ATLAS_MAX_CONCURRENCY,
    batchSize: args.batchSize ?? config.ATLAS_BATCH_SIZE,
    batchMs: args.batchMs ?? config.ATLAS_BATCH_MAX_MS,
    target404Share: args.target404Share ?? config.ATLAS_TARGET_404_SHARE,
    heapTrimMs: (args.heapTrimS ?? config.ATLAS_HEAP_TRIM_S) * 1000,
  }
}

/** Key the benchmarks send to the simulator (it requires one, any value). */
export const SIM_API_KEY = "bench-sim-key"
/** Seed for every benchmark simulator: same world in every run. */
export const SIM_SEED = "raidhub-bench"

/** "heap trim every 10 s" or "no heap trim", for progress lines. */
export function describeHeapTrim(heapTrimMs: number): string {
  return heapTrimMs > 0 ? `heap trim every ${heapTrimMs / 1000} s` : "no heap trim"
}

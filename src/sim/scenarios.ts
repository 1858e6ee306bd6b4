// Named presets. Each is a patch over the defaults (which are the `realistic` scenario).
import type { DeepPartial, SimConfig } from "./options.ts"

export type ScenarioName = "calm" | "realistic" | "hostile" | "backfill"

export const SCENARIO_NAMES: readonly ScenarioName[] = ["calm", "realistic", "hostile", "backfill"]

const NO_FAILURES: SimConfig["failures"] = {
  gameServerThrottleRate: 0,
  http500Rate: 0,
  http502Rate: 0,
  cloudflareChallengeRate: 0,
  truncatedRate: 0,
  malformedRate: 0,
  nullResponseRate: 0,
  slow: { rate: 0, extraMs: [0, 0] },
}

export const SCENARIOS: Record<ScenarioName, DeepPartial<SimConfig>> = {
  // Moving world with its natural quirks (skips, lost ids, late batches, incomplete first
  // versions) but no injected failures; throttling still applies (it is Bungie's rule).
  calm: { failures: NO_FAILURES },
  // The defaults: everything on at low, plausible rates.
  realistic: {},
  // Every failure mode on at rates a crawler notices within a minute, maintenance every
  // 5 minutes for 20 s, raid floodgates closed for the first 2 minutes then released in 4 waves
  // over a minute, a dead block about every 400,000 ids (half of the 200,000-id periods).
  hostile: {
    failures: {
      gameServerThrottleRate: 0.02,
      http500Rate: 0.01,
      http502Rate: 0.01,
      cloudflareChallengeRate: 0.005,
      truncatedRate: 0.005,
      malformedRate: 0.005,
      nullResponseRate: 0.005,
      slow: { rate: 0.01, extraMs: [3_000, 20_000] },
    },
    maintenance: { active: false, schedule: { everyMs: 300_000, durationMs: 20_000, offsetMs: 120_000 } },
    floodgates: { closed: true, hashes: [], fromId: null, openAfterMs: 120_000, release: { waves: 4, durationMs: 60_000 } },
    world: {
      incompleteRate: 0.1,
      batchChance: 0.05,
      skipRate: 0.003,
      lostRunChance: 0.03,
      deadBlockEvery: { periodIds: 200_000, chance: 0.5, length: [1_000, 15_680] },
    },
    latency: { kind: "lognormal", medianMs: 200, sigma: 1.0, maxMs: 20_000 },
  },
  // Throughput runs: every id below startId is already published; no latency, no throttle,
  // no failures, no late batches or incomplete versions; a dead block 1 M ids below the start
  // to jump, and a bigger history index for the history endpoints. Anchored at the start (not
  // continuous): the same ids (17,200,000,000 down) on every run, so benchmarks compare.
  backfill: {
    failures: NO_FAILURES,
    throttle: { enabled: false },
    latency: { kind: "none" },
    world: {
      continuous: false,
      incompleteRate: 0,
      batchChance: 0,
      deadBlocks: [{ offset: -1_000_000, length: 15_680 }],
      historyIds: 200_000,
    },
  },
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name)
}

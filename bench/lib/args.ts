/**
 * Command line of `bun run bench`, as a spec for the one parser (src/lib/cli):
 *
 *   bun run bench [scenario ...] [--quick] [--target sim|real] [--runs N] [--fetchers N]
 *                 [--max-concurrency N] [--batch-size N] [--batch-ms N] [--target-404-share X] [--heap-trim-s S] [--addresses N]
 *                 [--seconds S | --minutes M] [--sweep-of frontier|backfill] [--soak-of both|full|alone]
 *
 * The crawl tuning flags take Atlas's settings' types and limits (src/lib/config/keys-atlas.ts);
 * unset, a scenario uses Atlas's defaults (bench/lib/defaults.ts). No scenario = every core
 * scenario in --quick mode (see bench/README.md).
 */
import { type CommandLine, parseCommandLine } from "../../src/lib/cli/parse-command-line.ts"
import { UsageError } from "../../src/lib/cli/usage-error.ts"
import type { CommandSpec } from "../../src/lib/config/command-spec.ts"
import { ATLAS_KEYS } from "../../src/lib/config/keys-atlas.ts"

export type Target = "sim" | "real"

/** Atlas's setting as an optional bench flag: same type and limits, unset by default. */
function fromAtlas<K extends keyof typeof ATLAS_KEYS>(key: K) {
  return { ...ATLAS_KEYS[key], default: null, description: `${ATLAS_KEYS[key].description} Default: Atlas's (${key}).` } as const
}

export const BENCH_COMMAND = {
  name: "bench",
  usage: "bun run bench [scenario ...] [flags]",
  summary:
    "Runs the benchmark scenarios and reports distributions and ratios measured in one run on this machine: a summary table per " +
    "scenario on stdout, progress on stderr, one JSON result per scenario in bench/results/. No scenario: every core scenario, --quick.",
  sections: [],
  flags: {
    quick: { type: "boolean", default: false, description: "Shorter measurements (a smoke run, not numbers to quote)." },
    target: {
      type: "enum",
      values: ["sim", "real"],
      default: "sim",
      description: "Crawl the simulator, or Bungie itself (frontier and sweep only; needs BUNGIE_API_KEY).",
    },
    runs: { type: "int", default: 1, min: 1, max: 100, description: "Runs of each scenario in a row (a stability check)." },
    fetchers: fromAtlas("ATLAS_FETCHERS"),
    maxConcurrency: fromAtlas("ATLAS_MAX_CONCURRENCY"),
    batchSize: fromAtlas("ATLAS_BATCH_SIZE"),
    batchMs: fromAtlas("ATLAS_BATCH_MAX_MS"),
    target404Share: fromAtlas("ATLAS_TARGET_404_SHARE"),
    heapTrimS: fromAtlas("ATLAS_HEAP_TRIM_S"),
    addresses: { type: "int", default: null, min: 1, max: 64, description: "Loopback source addresses to crawl from (simulator only)." },
    seconds: { type: "number", default: null, min: 0.1, max: 86400, description: "Measurement length override, in seconds." },
    sweepOf: {
      type: "enum",
      values: ["frontier", "backfill"],
      default: "backfill",
      description: "What the sweep scenario sweeps (with --target real always frontier).",
    },
    minutes: {
      type: "number",
      default: null,
      min: 0.1,
      max: 1440,
      description: "Measurement length in minutes (follow; soak: each run, default 30, 25 s with --quick).",
    },
    soakOf: {
      type: "enum",
      values: ["both", "full", "alone"],
      default: "both",
      description:
        "Which soak runs: full (`atlas --sim`: simulator in-process, embedded ClickHouse), alone (simulator in its own process, no ClickHouse), or both.",
    },
  },
  positionals: { name: "scenario", description: "Scenarios to run, each in its own process when several.", max: 32 },
} as const satisfies CommandSpec

export interface BenchArgs {
  scenarios: string[]
  /** True when no scenario was named: run them all, quick. */
  all: boolean
  quick: boolean
  target: Target
  /** How many times to run each scenario in a row (stability check); default 1. */
  runs: number
  fetchers: number | null
  maxConcurrency: number | null
  batchSize: number | null
  /** Writer batch interval (ATLAS_BATCH_MAX_MS). */
  batchMs: number | null
  /** 404 share among first tries the claim lead aims for (ATLAS_TARGET_404_SHARE). */
  target404Share: number | null
  /** Seconds between heap trims, 0 = none (ATLAS_HEAP_TRIM_S). */
  heapTrimS: number | null
  addresses: number | null
  /** Measurement length override in seconds (--minutes converted). */
  seconds: number | null
  sweepOf: "frontier" | "backfill"
  /** Soak length per run in minutes (null: the scenario's default). */
  minutes: number | null
  soakOf: "both" | "full" | "alone"
}

/** The bench's arguments from its parsed command line. */
export function toBenchArgs({ flags, positionals }: CommandLine<typeof BENCH_COMMAND>): BenchArgs {
  const all = positionals.length === 0
  return {
    scenarios: [...positionals],
    all,
    quick: flags.quick || all,
    target: flags.target,
    runs: flags.runs,
    fetchers: flags.fetchers,
    maxConcurrency: flags.maxConcurrency,
    batchSize: flags.batchSize,
    batchMs: flags.batchMs,
    target404Share: flags.target404Share,
    heapTrimS: flags.heapTrimS,
    addresses: flags.addresses,
    seconds: flags.minutes !== null ? flags.minutes * 60 : flags.seconds,
    sweepOf: flags.sweepOf,
    minutes: flags.minutes,
    soakOf: flags.soakOf,
  }
}

/** Parses argv without an environment (tests); throws UsageError. --help is runMain's business. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const parsed = parseCommandLine(BENCH_COMMAND, argv, {})
  if (parsed.help) throw new UsageError("--help is printed by runMain, not parsed into arguments")
  return toBenchArgs(parsed)
}

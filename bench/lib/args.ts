/**
 * Command line of `bun run bench` (pure, unit-tested):
 *
 *   bun run bench [scenario ...] [--quick] [--target sim|real] [--runs N] [--fetchers N]
 *                 [--max-concurrency N] [--batch-size N] [--batch-ms N] [--target-404-share X] [--addresses N]
 *                 [--seconds S] [--sweep-of frontier|backfill]
 *
 * No scenario = every core scenario in --quick mode (see bench/README.md).
 */

export type Target = "sim" | "real"

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
  /** Writer batch interval (RAIDHUB_BATCH_MAX_MS). */
  batchMs: number | null
  /** 404 share among first tries the claim lead aims for (RAIDHUB_TARGET_404_SHARE), in (0, 1). */
  target404Share: number | null
  addresses: number | null
  /** Measurement length override in seconds. */
  seconds: number | null
  sweepOf: "frontier" | "backfill"
  help: boolean
}

export class BenchArgError extends Error {
  override name = "BenchArgError"
}

const NUMERIC = {
  "--runs": "runs",
  "--fetchers": "fetchers",
  "--max-concurrency": "maxConcurrency",
  "--batch-size": "batchSize",
  "--batch-ms": "batchMs",
  "--addresses": "addresses",
  "--seconds": "seconds",
} as const

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    scenarios: [],
    all: false,
    quick: false,
    target: "sim",
    runs: 1,
    fetchers: null,
    maxConcurrency: null,
    batchSize: null,
    batchMs: null,
    target404Share: null,
    addresses: null,
    seconds: null,
    sweepOf: "backfill",
    help: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!
    const eq = raw.indexOf("=")
    const name = raw.startsWith("--") && eq !== -1 ? raw.slice(0, eq) : raw
    const inline = raw.startsWith("--") && eq !== -1 ? raw.slice(eq + 1) : undefined
    const take = (): string => {
      if (inline !== undefined) return inline
      const next = argv[i + 1]
      if (next === undefined || next.startsWith("--")) throw new BenchArgError(`${name} needs a value`)
      i++
      return next
    }
    if (name === "--quick") args.quick = true
    else if (name === "--help" || name === "-h") args.help = true
    else if (name === "--target") {
      const value = take()
      if (value !== "sim" && value !== "real") throw new BenchArgError(`--target must be sim or real, got ${JSON.stringify(value)}`)
      args.target = value
    } else if (name === "--sweep-of") {
      const value = take()
      if (value !== "frontier" && value !== "backfill")
        throw new BenchArgError(`--sweep-of must be frontier or backfill, got ${JSON.stringify(value)}`)
      args.sweepOf = value
    } else if (name === "--target-404-share") {
      const value = take()
      const n = Number(value)
      if (!(n > 0 && n < 1)) throw new BenchArgError(`--target-404-share must be a share in (0, 1), got ${JSON.stringify(value)}`)
      args.target404Share = n
    } else if (name in NUMERIC) {
      const value = take()
      const n = Number(value)
      if (!Number.isFinite(n) || n <= 0) throw new BenchArgError(`${name} must be a positive number, got ${JSON.stringify(value)}`)
      const key = NUMERIC[name as keyof typeof NUMERIC]
      args[key] = key === "seconds" ? n : Math.round(n)
    } else if (name.startsWith("-")) throw new BenchArgError(`unknown flag ${name} (see --help)`)
    else args.scenarios.push(name)
  }
  if (args.scenarios.length === 0) {
    args.all = true
    args.quick = true
  }
  return args
}

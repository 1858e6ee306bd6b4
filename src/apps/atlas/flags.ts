/**
 * Command-line flags of one `bun run atlas` run. Deployment settings that also have an
 * environment key (--fetchers, --max-concurrency, --source-addresses, --batch-size, ...) belong
 * to the shared config (src/lib/config.ts, which consumes those flags first); this parser sees the
 * rest. Every error names the flag and the value.
 */

export interface AtlasFlags {
  /** First id to crawl; null = resume from the stored low-water mark (or search the frontier). */
  from: bigint | null
  /** Last id (inclusive) of a bounded backfill; null = follow the frontier for ever. */
  to: bigint | null
  sim: boolean
  /** Simulator seed when --sim. */
  simSeed: number
  /** Simulator scenario when --sim (calm, realistic, hostile, backfill). */
  simScenario: string
  /** null = ATLAS_METRICS_PORT from the config; "off" disables the server. */
  metricsPort: number | "off" | null
  /** Name of the crawl-state row, so several crawls (e.g. a backfill box) keep separate checkpoints. */
  crawler: string
  help: boolean
}

export const DEFAULT_FLAGS: Readonly<AtlasFlags> = Object.freeze({
  from: null,
  to: null,
  sim: false,
  simSeed: 1,
  simScenario: "realistic",
  metricsPort: null,
  crawler: "atlas",
  help: false,
})

export const HELP_TEXT = `Usage: bun run atlas [flags]

Crawls Destiny 2 PGCRs by instance id, stores raids in Postgres (and ClickHouse via the outbox).

  --from <id>                 start at this id (default: resume from the stored low-water mark;
                              on an empty database, search for the frontier and start behind it)
  --to <id>                   last id of a bounded backfill: exit 0 once every id in [from, to] is resolved
  --fetchers <n>              fetcher Worker threads (RAIDHUB_FETCHERS, default 2)
  --max-concurrency <n>       most concurrent PGCR requests over all fetchers (RAIDHUB_MAX_CONCURRENCY, default 64)
  --source-addresses a,b,...  local addresses to send from, one rate bucket each, e.g. 127.0.0.1,127.0.0.2
                              (RAIDHUB_SOURCE_ADDRESSES; default: the system's route, one bucket)
  --batch-size <n>            pg-writer batch size (RAIDHUB_BATCH_SIZE, default 500)
  --batch-max-ms <ms>         pg-writer flush interval, paced (RAIDHUB_BATCH_MAX_MS, default 250)
  --target-404-share <x>      404 share among first tries the claim lead aims for (RAIDHUB_TARGET_404_SHARE, 0.025)
  --sim                       start the Bungie simulator in-process and crawl it
  --sim-seed <n>              simulator seed with --sim (default ${DEFAULT_FLAGS.simSeed})
  --sim-scenario <name>       simulator scenario with --sim: calm, realistic, hostile, backfill (default realistic)
  --metrics-port <port>       serve /metrics and /healthz here (0 = any free port, "off" = none;
                              default ATLAS_METRICS_PORT, 8080)
  --crawler <name>            checkpoint name (default "${DEFAULT_FLAGS.crawler}")
  --help                      show this text

Every config key can also be given as an environment variable (see .env.example).
BUNGIE_BASE_URL points at a separately running simulator or a proxy; BUNGIE_API_KEY,
DATABASE_URL, CLICKHOUSE_URL, RABBITMQ_URL as in .env.example.
`

export class FlagError extends Error {
  constructor(flag: string, value: string | undefined, why: string) {
    super(`atlas: flag ${flag}${value === undefined ? "" : ` = ${JSON.stringify(value)}`}: ${why}`)
    this.name = "FlagError"
  }
}

function parseId(flag: string, value: string | undefined): bigint {
  if (value === undefined || !/^\d{1,19}$/.test(value)) throw new FlagError(flag, value, "expected a positive decimal instance id")
  const id = BigInt(value)
  if (id < 1n || id > 9_223_372_036_854_775_807n) throw new FlagError(flag, value, "out of range for a 64-bit id")
  return id
}

function parseIntFlag(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new FlagError(flag, value, `expected an integer in [${min}, ${max}]`)
  const n = Number(value)
  if (n < min || n > max) throw new FlagError(flag, value, `expected an integer in [${min}, ${max}]`)
  return n
}

/** Parses argv (without the runtime and script path). Accepts `--flag value` and `--flag=value`. */
export function parseFlags(argv: readonly string[]): AtlasFlags {
  const flags: AtlasFlags = { ...DEFAULT_FLAGS }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "-h") {
      flags.help = true
      continue
    }
    if (!arg.startsWith("--")) throw new FlagError(arg, undefined, "unexpected argument (flags start with --)")
    const eq = arg.indexOf("=")
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const inline = eq === -1 ? undefined : arg.slice(eq + 1)
    const take = (): string | undefined => {
      if (inline !== undefined) return inline
      const next = argv[i + 1]
      if (next === undefined || next.startsWith("--")) return undefined
      i++
      return next
    }
    switch (name) {
      case "--from":
        flags.from = parseId(name, take())
        break
      case "--to":
        flags.to = parseId(name, take())
        break
      case "--sim":
        flags.sim = true
        break
      case "--sim-seed":
        flags.simSeed = parseIntFlag(name, take(), 0, 2 ** 31 - 1)
        break
      case "--sim-scenario": {
        const value = take()
        if (value === undefined || !["calm", "realistic", "hostile", "backfill"].includes(value))
          throw new FlagError(name, value, "expected calm, realistic, hostile or backfill")
        flags.simScenario = value
        break
      }
      case "--metrics-port": {
        const value = take()
        flags.metricsPort = value === "off" ? "off" : parseIntFlag(name, value, 0, 65535)
        break
      }
      case "--crawler": {
        const value = take()
        if (value === undefined || !/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(value))
          throw new FlagError(name, value, "expected a short name of letters, digits, - and _")
        flags.crawler = value
        break
      }
      case "--help":
        flags.help = true
        break
      default:
        throw new FlagError(name, inline, "unknown flag (see --help)")
    }
  }
  if (flags.to !== null && flags.from === null) throw new FlagError("--to", flags.to.toString(), "a bounded backfill needs --from as well")
  if (flags.to !== null && flags.from !== null && flags.to < flags.from)
    throw new FlagError("--to", flags.to.toString(), `is below --from ${flags.from}`)
  return flags
}

/**
 * Command-line flags of `bun run atlas`. Parsed here (not in the shared config) because they
 * describe one run of the crawler, not the deployment; every error names the flag and the value.
 */

export interface AtlasFlags {
  /** First id to crawl; null = resume from the stored low-water mark (or search the frontier). */
  from: bigint | null
  /** Last id (inclusive) of a bounded backfill; null = follow the frontier for ever. */
  to: bigint | null
  fetchers: number
  /** Upper bound on concurrent PGCR requests over all fetchers (the limiter may use fewer). */
  maxConcurrency: number
  /** Local addresses to bind outgoing requests to, each with its own rate bucket; empty = default route. */
  sourceAddresses: string[]
  sim: boolean
  /** Simulator seed when --sim. */
  simSeed: number
  metricsPort: number | null
  /** Name of the crawl-state row, so several crawls (e.g. a backfill box) keep separate checkpoints. */
  crawler: string
  help: boolean
}

export const DEFAULT_FLAGS: Readonly<AtlasFlags> = Object.freeze({
  from: null,
  to: null,
  fetchers: 2,
  maxConcurrency: 64,
  sourceAddresses: [],
  sim: false,
  simSeed: 1,
  metricsPort: 9110,
  crawler: "atlas",
  help: false,
})

export const HELP_TEXT = `Usage: bun run atlas [flags]

Crawls Destiny 2 PGCRs by instance id, stores raids in Postgres (and ClickHouse via the outbox).

  --from <id>                 start at this id (default: resume from the stored low-water mark;
                              on an empty database, search for the frontier and start behind it)
  --to <id>                   last id of a bounded backfill: exit 0 once every id in [from, to] is resolved
  --fetchers <n>              fetcher Worker threads (default ${DEFAULT_FLAGS.fetchers})
  --max-concurrency <n>       most concurrent PGCR requests over all fetchers (default ${DEFAULT_FLAGS.maxConcurrency})
  --source-addresses a,b,...  local addresses to send from, one rate bucket each (e.g. 127.0.0.1,127.0.0.2)
  --sim                       start the Bungie simulator in-process and crawl it
  --sim-seed <n>              simulator seed with --sim (default ${DEFAULT_FLAGS.simSeed})
  --metrics-port <port>       serve /metrics and /healthz here (0 = any free port, "off" = none; default ${DEFAULT_FLAGS.metricsPort})
  --crawler <name>            checkpoint name (default "${DEFAULT_FLAGS.crawler}")
  --help                      show this text

Environment: BUNGIE_BASE_URL points at a separately running simulator or a proxy; BUNGIE_API_KEY,
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

function parseInt(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new FlagError(flag, value, `expected an integer in [${min}, ${max}]`)
  const n = Number(value)
  if (n < min || n > max) throw new FlagError(flag, value, `expected an integer in [${min}, ${max}]`)
  return n
}

function parseAddresses(flag: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") throw new FlagError(flag, value, "expected a comma-separated list of IP addresses")
  const list = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
  for (const address of list) {
    const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address)
    const ok = ipv4 ? ipv4.slice(1).every((part) => Number(part) <= 255) : /^[0-9a-fA-F:]+$/.test(address) && address.includes(":")
    if (!ok) throw new FlagError(flag, value, `"${address}" is not an IP address`)
  }
  return [...new Set(list)]
}

/** Parses argv (without the runtime and script path). Accepts `--flag value` and `--flag=value`. */
export function parseFlags(argv: readonly string[]): AtlasFlags {
  const flags: AtlasFlags = { ...DEFAULT_FLAGS, sourceAddresses: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "-h") { flags.help = true; continue }
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
      case "--from": flags.from = parseId(name, take()); break
      case "--to": flags.to = parseId(name, take()); break
      case "--fetchers": flags.fetchers = parseInt(name, take(), 1, 64); break
      case "--max-concurrency": flags.maxConcurrency = parseInt(name, take(), 1, 4096); break
      case "--source-addresses": flags.sourceAddresses = parseAddresses(name, take()); break
      case "--sim": flags.sim = true; break
      case "--sim-seed": flags.simSeed = parseInt(name, take(), 0, 2 ** 31 - 1); break
      case "--metrics-port": {
        const value = take()
        flags.metricsPort = value === "off" ? null : parseInt(name, value, 0, 65535)
        break
      }
      case "--crawler": {
        const value = take()
        if (value === undefined || !/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(value)) throw new FlagError(name, value, "expected a short name of letters, digits, - and _")
        flags.crawler = value
        break
      }
      case "--help": flags.help = true; break
      default: throw new FlagError(name, inline, "unknown flag (see --help)")
    }
  }
  if (flags.to !== null && flags.from === null) throw new FlagError("--to", flags.to.toString(), "a bounded backfill needs --from as well")
  if (flags.to !== null && flags.from !== null && flags.to < flags.from) throw new FlagError("--to", flags.to.toString(), `is below --from ${flags.from}`)
  if (flags.maxConcurrency < flags.fetchers) throw new FlagError("--max-concurrency", String(flags.maxConcurrency), `must be at least --fetchers (${flags.fetchers})`)
  return flags
}

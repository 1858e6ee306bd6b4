/**
 * `bun run zeus [--port 7777] [--source-addresses a,b,...] [--metrics-port 8082] [...]`: the
 * Bungie egress proxy (server.ts). Shared keys (BUNGIE_*, LOG_LEVEL, -v) come from the shared
 * config, zeus's own from config-keys.ts (environment or flags); --help lists them.
 * Exit codes: 0 after a graceful stop, 2 for a configuration problem or a busy port.
 */
import { CONFIG_TABLE, ConfigError, loadConfigWithArgs } from "../../lib/config.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { parseClientWeights } from "./client-weights.ts"
import { describeZeusFlags, loadZeusConfig } from "./load-config.ts"
import { parseNetworks } from "./networks.ts"
import { startZeus } from "./server.ts"

const USAGE = `Usage: bun run zeus [flags]

The Bungie egress proxy: callers send GET http://zeus:7777/Platform/... with an
x-raidhub-client tag; zeus adds the API key, shares each source address's adaptive
rate limit fairly between callers, and relays Bungie's answer.

Flags (each also an environment key):
${describeZeusFlags()}
  -v, --verbose            LOG_LEVEL=debug

Shared keys: BUNGIE_API_KEY (required), BUNGIE_BASE_URL, BUNGIE_WWW_BASE_URL, LOG_LEVEL.
`

/**
 * A redirected stats host (simulator, test proxy) with the www host left at Bungie's: send
 * everything to the redirected one, as atlas does, rather than mix a fake and the real Bungie.
 */
export function resolveWwwBase(statsBase: string, wwwBase: string): string {
  return statsBase !== CONFIG_TABLE.BUNGIE_BASE_URL.default && wwwBase === CONFIG_TABLE.BUNGIE_WWW_BASE_URL.default ? statsBase : wwwBase
}

async function main(): Promise<number> {
  let shared: ReturnType<typeof loadConfigWithArgs>
  let own: ReturnType<typeof loadZeusConfig>
  const argv = process.argv.slice(2)
  try {
    // Zeus's flags first: the shared table has atlas's keys, whose flags share names with zeus's
    // (--source-addresses would otherwise be taken for RAIDHUB_SOURCE_ADDRESSES).
    own = loadZeusConfig(process.env, argv)
    shared = loadConfigWithArgs(process.env, own.rest)
  } catch (error) {
    process.stderr.write(`zeus: ${error instanceof ConfigError ? error.message : String(error)}\n`)
    return 2
  }
  if (own.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (shared.rest.length > 0) {
    process.stderr.write(`zeus: unknown argument ${shared.rest[0]} (see --help)\n`)
    return 2
  }
  const config = shared.config
  // The shared table knows ZEUS_METRICS_PORT too; its flag (--zeus-metrics-port) counts as well.
  const z = argv.some((a) => a.startsWith("--zeus-metrics-port"))
    ? { ...own.config, ZEUS_METRICS_PORT: config.ZEUS_METRICS_PORT }
    : own.config
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "zeus" } })
  if (!config.BUNGIE_API_KEY) {
    process.stderr.write("zeus: BUNGIE_API_KEY is required (zeus adds it to every request it forwards)\n")
    return 2
  }
  let zeus: Awaited<ReturnType<typeof startZeus>>
  try {
    zeus = await startZeus({
      port: z.ZEUS_PORT,
      listenAddress: z.ZEUS_LISTEN_ADDRESS,
      metricsPort: z.ZEUS_METRICS_PORT,
      statsBaseUrl: config.BUNGIE_BASE_URL,
      wwwBaseUrl: resolveWwwBase(config.BUNGIE_BASE_URL, config.BUNGIE_WWW_BASE_URL),
      apiKey: config.BUNGIE_API_KEY,
      contact: z.ZEUS_CONTACT,
      sourceAddresses: z.ZEUS_SOURCE_ADDRESSES,
      allowedNetworks: parseNetworks(z.ZEUS_ALLOWED_NETWORKS),
      queueDeadlineMs: z.ZEUS_QUEUE_DEADLINE_MS,
      maxQueue: z.ZEUS_MAX_QUEUE,
      maxConcurrency: z.ZEUS_MAX_CONCURRENCY,
      upstreamTimeoutMs: z.ZEUS_UPSTREAM_TIMEOUT_MS,
      throttleRetries: z.ZEUS_THROTTLE_RETRIES,
      clientWeights: parseClientWeights(z.ZEUS_CLIENT_WEIGHTS),
      log,
    })
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === "EADDRINUSE") {
      process.stderr.write(
        `zeus: a port is in use (proxy ${z.ZEUS_PORT}, metrics ${z.ZEUS_METRICS_PORT}): set ZEUS_PORT / --port or ZEUS_METRICS_PORT / --metrics-port (0 = any free port)\n`,
      )
      return 2
    }
    throw error
  }
  log.info("zeus.listening", {
    url: zeus.url,
    metricsUrl: zeus.metricsUrl,
    stats: config.BUNGIE_BASE_URL,
    www: resolveWwwBase(config.BUNGIE_BASE_URL, config.BUNGIE_WWW_BASE_URL),
    sourceAddresses: z.ZEUS_SOURCE_ADDRESSES.length === 0 ? ["default"] : z.ZEUS_SOURCE_ADDRESSES,
    allowedNetworks: z.ZEUS_ALLOWED_NETWORKS,
  })
  const signals = installShutdownHandlers(log, "zeus")
  await signals.requested
  await zeus.stop()
  log.info("zeus.stopped", {})
  signals.dispose()
  return 0
}

if (import.meta.main) process.exit(await main())

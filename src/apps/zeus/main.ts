/**
 * `bun run zeus [--port 7777] [--source-addresses a,b,...] [--metrics-port 8082] [...]`: the
 * Bungie egress proxy (server.ts). Its settings are the zeus section
 * (src/lib/config/keys-zeus.ts) plus the shared BUNGIE_* and LOG_LEVEL; --help lists them all. Exit codes: 0 after a
 * graceful stop; 2 for a bad setting or flag, a missing API key or a busy port (one line).
 */

import { isIP } from "node:net"
import type { CommandLine } from "../../lib/cli/parse-command-line.ts"
import { runMain } from "../../lib/cli/run-main.ts"
import { ZEUS_COMMAND } from "../../lib/config/apps.ts"
import { SHARED_KEYS } from "../../lib/config/keys-shared.ts"
import { ConfigError } from "../../lib/config/load-config.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { checkPortFree } from "../../lib/runtime/check-port-free.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { parseClientWeights } from "./client-weights.ts"
import { parseNetworks } from "./networks.ts"
import { startZeus } from "./server.ts"

/**
 * A redirected stats host (simulator, test proxy) with the www host left at Bungie's: send
 * everything to the redirected one, as atlas does, rather than mix a fake and the real Bungie.
 */
export function resolveWwwBase(statsBase: string, wwwBase: string): string {
  return statsBase !== SHARED_KEYS.BUNGIE_BASE_URL.default && wwwBase === SHARED_KEYS.BUNGIE_WWW_BASE_URL.default ? statsBase : wwwBase
}

/** Parses a structured setting, turning its failure into a configuration error naming the key. */
function parseSetting<T>(key: string, raw: string, parse: (raw: string) => T): T {
  try {
    return parse(raw)
  } catch (error) {
    throw new ConfigError([{ key, value: JSON.stringify(raw), reason: error instanceof Error ? error.message : String(error) }])
  }
}

async function main({ config }: CommandLine<typeof ZEUS_COMMAND>): Promise<number> {
  if (!config.BUNGIE_API_KEY) {
    throw new ConfigError([{ key: "BUNGIE_API_KEY", value: "(unset)", reason: "required: zeus adds it to every request it forwards" }])
  }
  if (isIP(config.ZEUS_LISTEN_ADDRESS) === 0) {
    throw new ConfigError([
      { key: "ZEUS_LISTEN_ADDRESS", value: JSON.stringify(config.ZEUS_LISTEN_ADDRESS), reason: "expected an IP address to listen on" },
    ])
  }
  const allowedNetworks = parseSetting("ZEUS_ALLOWED_NETWORKS", config.ZEUS_ALLOWED_NETWORKS, parseNetworks)
  const clientWeights = parseSetting("ZEUS_CLIENT_WEIGHTS", config.ZEUS_CLIENT_WEIGHTS ?? "", (raw) => parseClientWeights(raw || null))
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "zeus" } })
  await checkPortFree(config.ZEUS_PORT, config.ZEUS_LISTEN_ADDRESS)
  if (config.ZEUS_METRICS_PORT !== null) await checkPortFree(config.ZEUS_METRICS_PORT)
  const wwwBaseUrl = resolveWwwBase(config.BUNGIE_BASE_URL, config.BUNGIE_WWW_BASE_URL)
  const zeus = await startZeus({
    port: config.ZEUS_PORT,
    listenAddress: config.ZEUS_LISTEN_ADDRESS,
    metricsPort: config.ZEUS_METRICS_PORT,
    statsBaseUrl: config.BUNGIE_BASE_URL,
    wwwBaseUrl,
    apiKey: config.BUNGIE_API_KEY,
    contact: config.ZEUS_CONTACT,
    sourceAddresses: config.ZEUS_SOURCE_ADDRESSES,
    allowedNetworks,
    queueDeadlineMs: config.ZEUS_QUEUE_DEADLINE_MS,
    maxQueue: config.ZEUS_MAX_QUEUE,
    maxConcurrency: config.ZEUS_MAX_CONCURRENCY,
    upstreamTimeoutMs: config.ZEUS_UPSTREAM_TIMEOUT_MS,
    throttleRetries: config.ZEUS_THROTTLE_RETRIES,
    clientWeights,
    log,
  })
  log.info("zeus.listening", {
    url: zeus.url,
    metricsUrl: zeus.metricsUrl,
    stats: config.BUNGIE_BASE_URL,
    www: wwwBaseUrl,
    sourceAddresses: config.ZEUS_SOURCE_ADDRESSES.length === 0 ? ["default"] : config.ZEUS_SOURCE_ADDRESSES,
    allowedNetworks: config.ZEUS_ALLOWED_NETWORKS,
  })
  const signals = installShutdownHandlers(log, "zeus")
  await signals.requested
  await zeus.stop()
  log.info("zeus.stopped", {})
  signals.dispose()
  return 0
}

if (import.meta.main) await runMain(ZEUS_COMMAND, main)

/**
 * Hermes's Bungie client: the shared rate-limited client with a limiter of its own. Zeus's
 * `createBungieForApp(config)` (through zeus when ZEUS_URL is set, so every process shares one
 * set of source addresses) replaces this one function at merge.
 */

import { createRateLimitedBungie, type RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import { CONFIG_TABLE, type Config } from "../../lib/config.ts"
import { createSharedLimiter } from "../../lib/ratelimit/index.ts"
import type { HermesConfig } from "./config.ts"

export function createHermesBungie(config: Config, hermes: HermesConfig, apiKey: string): RateLimitedBungie {
  const addresses = hermes.HERMES_SOURCE_ADDRESSES
  const { limiter } = createSharedLimiter({
    addresses: Math.max(1, addresses.length),
    maxConcurrency: hermes.HERMES_MAX_CONCURRENCY,
    initialConcurrency: Math.min(16, hermes.HERMES_MAX_CONCURRENCY),
  })
  // A redirected stats host (simulator, proxy) with the www host left at its default: send the
  // other endpoints there too rather than to Bungie (as atlas does).
  const wwwBaseUrl =
    config.BUNGIE_BASE_URL !== CONFIG_TABLE.BUNGIE_BASE_URL.default &&
    config.BUNGIE_WWW_BASE_URL === CONFIG_TABLE.BUNGIE_WWW_BASE_URL.default
      ? config.BUNGIE_BASE_URL
      : config.BUNGIE_WWW_BASE_URL
  return createRateLimitedBungie({
    limiter,
    baseUrl: config.BUNGIE_BASE_URL,
    wwwBaseUrl,
    apiKey,
    timeoutMs: 15_000,
    sourceAddresses: addresses,
  })
}

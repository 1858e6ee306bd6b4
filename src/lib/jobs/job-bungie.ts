/**
 * The one place a job or tool gets its Bungie client. Every call goes through the shared
 * rate-limited client (rate-limited.ts) with a limiter of its own; with ZEUS_URL set the requests
 * go to zeus instead of Bungie's hosts. When the "via zeus" client lands (createBungieForApp),
 * its body replaces this function's and no caller changes.
 */
import { createRateLimitedBungie, type RateLimitedBungie } from "../bungie/rate-limited.ts"
import { ConfigError } from "../config/load-config.ts"
import type { ConfigOf } from "../config/sections.ts"
import { createSharedLimiter } from "../ratelimit/index.ts"

export interface JobBungieOptions {
  /** Caller tag (zeus schedules by it), e.g. "hades". */
  client: string
  /** Most requests in flight at once (default 8). */
  concurrency?: number
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 15_000

export function createJobBungie(config: ConfigOf<"shared">, options: JobBungieOptions): RateLimitedBungie {
  const apiKey = config.BUNGIE_API_KEY ?? ""
  const baseUrl = config.ZEUS_URL ?? config.BUNGIE_BASE_URL
  if (apiKey === "" && new URL(baseUrl).hostname.endsWith("bungie.net")) {
    throw new ConfigError([{ key: "BUNGIE_API_KEY", value: "(unset)", reason: "Bungie's API needs a key (or set ZEUS_URL)" }])
  }
  const concurrency = Math.max(1, options.concurrency ?? 8)
  const { limiter } = createSharedLimiter({ addresses: 1, maxConcurrency: concurrency, initialConcurrency: concurrency })
  return createRateLimitedBungie({
    limiter,
    baseUrl,
    wwwBaseUrl: config.ZEUS_URL ?? config.BUNGIE_WWW_BASE_URL,
    apiKey,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    sourceAddresses: [],
  })
}

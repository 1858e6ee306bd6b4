/**
 * The one place an app, job or tool gets its Bungie client: through zeus when ZEUS_URL is set
 * (zeus owns the source addresses and the limiter; via-zeus.ts), otherwise the local
 * rate-limited client with its own limiter over the given source addresses (rate-limited.ts).
 *
 * Every source address has one owner: a process with a local limiter must not send from an
 * address zeus sends from (zeus's config check refuses atlas and zeus sharing one). Several
 * processes on one box with local limiters and the default route share Bungie's per-address
 * limit without knowing it; that is what ZEUS_URL is for.
 */
import { createSharedLimiter, type LimiterOptions } from "../ratelimit/index.ts"
import { createRateLimitedBungie, type RateLimitedBungie } from "./rate-limited.ts"
import { createViaZeusBungie } from "./via-zeus.ts"

/** The configuration keys this needs (structurally: pass the app's config object). */
export interface BungieAppConfig {
  readonly BUNGIE_API_KEY: string | null
  readonly BUNGIE_BASE_URL: string
  readonly BUNGIE_WWW_BASE_URL: string
  /** Zeus's URL; null or empty = local limiter. */
  readonly ZEUS_URL: string | null
}

export interface BungieForAppOptions {
  /** Caller tag zeus schedules by, e.g. "hermes/player_crawl", "hades". */
  client: string
  /** Local mode: local addresses to send from, one bucket each (empty = default route). */
  sourceAddresses?: readonly string[]
  /** Whole exchange budget per request (default 15 s, the original's client timeout). */
  timeoutMs?: number
  /** Local mode: limiter tuning (addresses is taken from sourceAddresses). */
  limiterOptions?: Partial<LimiterOptions>
  contact?: string
}

export const DEFAULT_APP_TIMEOUT_MS = 15_000

export function createBungieForApp(config: BungieAppConfig, o: BungieForAppOptions): RateLimitedBungie {
  const timeoutMs = o.timeoutMs ?? DEFAULT_APP_TIMEOUT_MS
  const contact = o.contact === undefined ? {} : { contact: o.contact }
  if (config.ZEUS_URL) return createViaZeusBungie({ zeusUrl: config.ZEUS_URL, client: o.client, timeoutMs, ...contact })
  if (!config.BUNGIE_API_KEY) throw new Error("BUNGIE_API_KEY is required unless ZEUS_URL is set (then zeus holds the key)")
  const sourceAddresses = o.sourceAddresses ?? []
  const { limiter } = createSharedLimiter({ ...o.limiterOptions, addresses: Math.max(1, sourceAddresses.length) })
  return createRateLimitedBungie({
    limiter,
    baseUrl: config.BUNGIE_BASE_URL,
    wwwBaseUrl: config.BUNGIE_WWW_BASE_URL,
    apiKey: config.BUNGIE_API_KEY,
    timeoutMs,
    sourceAddresses,
    ...contact,
  })
}

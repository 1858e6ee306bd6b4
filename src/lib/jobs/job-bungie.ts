/**
 * A job's or tool's Bungie client: createBungieForApp (through zeus when ZEUS_URL is set, else the
 * shared rate-limited client with a limiter of its own), after checking that Bungie's hosts get a
 * key, so a missing key is a configuration error (one line naming BUNGIE_API_KEY, exit 2).
 */
import { createBungieForApp } from "../bungie/for-app.ts"
import type { RateLimitedBungie } from "../bungie/rate-limited.ts"
import { ConfigError } from "../config/load-config.ts"
import type { ConfigOf } from "../config/sections.ts"

export interface JobBungieOptions {
  /** Caller tag (zeus schedules by it), e.g. "hades". */
  client: string
  /** Most requests in flight at once with the local limiter (default 8). */
  concurrency?: number
  timeoutMs?: number
}

export function createJobBungie(config: ConfigOf<"shared">, options: JobBungieOptions): RateLimitedBungie {
  if (!config.ZEUS_URL && !config.BUNGIE_API_KEY) {
    throw new ConfigError([{ key: "BUNGIE_API_KEY", value: "(unset)", reason: "needed unless ZEUS_URL is set (then zeus holds the key)" }])
  }
  const concurrency = Math.max(1, options.concurrency ?? 8)
  return createBungieForApp(config, {
    client: options.client,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    limiterOptions: { maxConcurrency: concurrency, initialConcurrency: concurrency },
  })
}

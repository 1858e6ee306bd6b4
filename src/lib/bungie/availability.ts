/**
 * Bungie availability from Settings (`/Platform/Settings/` → `systems.<name>.enabled`).
 *
 * A SystemDisabled (5) answer pauses the shared limiter for a while (its disabledPauseMs); this
 * watch polls Settings during such a pause and resumes the limiter as soon as Destiny 2 is
 * enabled again, so a crawl restarts within seconds of maintenance ending instead of waiting the
 * pause out. Settings are read outside the limiter (a paused limiter hands out no permits).
 */
import type { CoreSettingsConfiguration } from "bungie-api-ts/core"
import type { Logger } from "../monitoring/logger.ts"
import type { RateLimitedBungie } from "./rate-limited.ts"
import type { BungieResult } from "./result.ts"

/** Whether Settings lists a system as enabled; null when Settings could not tell. */
export function readSystemEnabled(result: BungieResult<CoreSettingsConfiguration>, system: string): boolean | null {
  if (result.kind !== "ok") return null
  const enabled = (result.value as { systems?: Record<string, { enabled?: boolean }> }).systems?.[system]?.enabled
  return typeof enabled === "boolean" ? enabled : null
}

export interface AvailabilityWatchOptions {
  bungie: Pick<RateLimitedBungie, "limiter" | "getSettings">
  log: Logger
  /** Log event prefix, e.g. "atlas". */
  app: string
  intervalMs?: number
  /** The system whose return resumes the limiter (default Destiny2). */
  system?: string
}

export interface AvailabilityWatch {
  stop(): void
}

export function watchAvailability(o: AvailabilityWatchOptions): AvailabilityWatch {
  const limiter = o.bungie.limiter
  // Through zeus there is no local limiter to pause or resume: zeus runs this watch itself.
  if (limiter === null) return { stop() {} }
  const system = o.system ?? "Destiny2"
  let busy = false
  const timer = setInterval(async () => {
    if (busy || limiter.snapshot().pauseReason !== "disabled") return
    busy = true
    try {
      if (readSystemEnabled(await o.bungie.getSettings(), system) === true) {
        o.log.info(`${o.app}.bungie.enabled`, { system })
        limiter.resume()
      }
    } catch (error) {
      o.log.warn(`${o.app}.bungie.settings_failed`, { error })
    } finally {
      busy = false
    }
  }, o.intervalMs ?? 5_000)
  return {
    stop() {
      clearInterval(timer)
    },
  }
}

/**
 * What one Bungie attempt tells the shared limiter (src/lib/ratelimit). The waits the limiter
 * applies when Bungie does not say how long live in one place, the limiter's options:
 *
 * - A 1672 / bare 503 (game servers shedding load) carries no ThrottleSeconds; the client's own
 *   default (5 s) applied as a GLOBAL pause would park every address several seconds per event,
 *   half of all time at a 0.2 % rate. Without a hint the limiter's `serverThrottlePauseMs` applies;
 *   its concurrency decrease still sheds load when they come in numbers.
 * - An edge page (Cloudflare challenge, HTML 403/503: no Bungie ErrorCode) defaults to 30 s in the
 *   client; the limiter's `defaultThrottlePauseMs` (10 s, Bungie's usual ThrottleSeconds) with its
 *   multiplicative ceiling decrease backs off just as surely when they repeat.
 * - Bungie's own rate codes (51, 54–57, 35, 36, 429) keep the wait of their kind: ThrottleSeconds
 *   when given, else the code's default (a minute for 35).
 */
import type { Outcome } from "../ratelimit/index.ts"
import type { BungieResult } from "./result.ts"

/** DestinyThrottledByGameServer: game-server load, not our per-address rate. */
const GAME_SERVER_THROTTLE_CODE = 1672

export function toLimiterOutcome(result: BungieResult<unknown>): Outcome {
  const latencyMs = result.meta.latencyMs
  switch (result.kind) {
    case "ok":
    case "notFound":
    case "blocked":
    case "badFormat":
      return { kind: result.kind, latencyMs }
    case "disabled":
      // The limiter pauses for disabledPauseMs; Settings polling (availability.ts) resumes earlier.
      return { kind: "disabled", latencyMs, waitMs: null }
    case "throttled": {
      const { errorCode, httpStatus } = result.meta
      const hinted = result.waitHinted ? result.waitMs : null
      if (errorCode === GAME_SERVER_THROTTLE_CODE || (errorCode === null && httpStatus === 503)) {
        return { kind: "serverThrottled", latencyMs, waitMs: hinted }
      }
      if (errorCode === null) return { kind: "throttled", latencyMs, waitMs: hinted }
      return { kind: "throttled", latencyMs, waitMs: result.waitMs }
    }
    case "transient":
    case "fatal":
      // Counted, never a rate signal; latency (when any) still feeds the concurrency control.
      return { kind: "transient", latencyMs }
  }
}

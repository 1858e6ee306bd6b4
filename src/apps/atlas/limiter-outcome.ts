/**
 * Maps one attempt's result to the limiter outcome, with one Atlas-specific adjustment: a single
 * 1672/503 (game-server load) carries no ThrottleSeconds, and the client's default wait for it
 * (5 s) applied as a GLOBAL pause would park every address several seconds per event — at a
 * 0.2 % 1672 rate and 50 req/s that is half of all time. We cap that pause; the limiter's
 * concurrency decrease on serverThrottled still sheds load when 1672s come in numbers.
 */
import type { BungieResult } from "../../lib/bungie/result.ts"
import { type Outcome, outcomeFromResult } from "../../lib/ratelimit/index.ts"

export const SERVER_THROTTLE_PAUSE_CAP_MS = 1_000
/**
 * An edge page (Cloudflare challenge, HTML 403/503: no Bungie ErrorCode) classifies as throttled
 * with a 30 s wait. A single one pausing an address for 30 s costs a quarter of a 4-address
 * crawler's capacity at a 0.05 % page rate; 10 s (Bungie's usual ThrottleSeconds) with the
 * limiter's multiplicative ceiling decrease backs off just as surely when they repeat.
 */
export const EDGE_THROTTLE_PAUSE_CAP_MS = 10_000

export function toLimiterOutcome(result: BungieResult<unknown>): Outcome {
  const outcome = outcomeFromResult(result)
  if (outcome.kind === "serverThrottled" && (outcome.waitMs ?? 0) > SERVER_THROTTLE_PAUSE_CAP_MS) {
    return { ...outcome, waitMs: SERVER_THROTTLE_PAUSE_CAP_MS }
  }
  if (outcome.kind === "throttled" && result.meta.errorCode === null && (outcome.waitMs ?? 0) > EDGE_THROTTLE_PAUSE_CAP_MS) {
    return { ...outcome, waitMs: EDGE_THROTTLE_PAUSE_CAP_MS }
  }
  return outcome
}

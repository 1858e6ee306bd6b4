/**
 * Maps one attempt's result to the limiter outcome, with one Atlas-specific adjustment: a single
 * 1672/503 (game-server load) carries no ThrottleSeconds, and the client's default wait for it
 * (5 s) applied as a GLOBAL pause would park every address several seconds per event — at a
 * 0.2 % 1672 rate and 50 req/s that is half of all time. We cap that pause; the limiter's
 * concurrency decrease on serverThrottled still sheds load when 1672s come in numbers.
 */
import type { BungieResult } from "../../lib/bungie/result.ts"
import { outcomeFromResult, type Outcome } from "../../lib/ratelimit/index.ts"

export const SERVER_THROTTLE_PAUSE_CAP_MS = 1_000

export function toLimiterOutcome(result: BungieResult<unknown>): Outcome {
  const outcome = outcomeFromResult(result)
  if (outcome.kind === "serverThrottled" && (outcome.waitMs ?? 0) > SERVER_THROTTLE_PAUSE_CAP_MS) {
    return { ...outcome, waitMs: SERVER_THROTTLE_PAUSE_CAP_MS }
  }
  return outcome
}

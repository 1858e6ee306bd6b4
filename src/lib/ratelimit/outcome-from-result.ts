/**
 * Map one Bungie attempt's classified result to a limiter Outcome. Typed structurally so the
 * limiter does not depend on the client module: any `{ kind, waitMs?, meta }` value with the
 * BungieResult shape (see CONTRACTS.md) fits.
 */
import type { Outcome } from "./types.ts"

export interface BungieResultLike {
  kind: string
  waitMs?: number
  meta: { httpStatus: number | null; errorCode: number | null; latencyMs: number }
}

/** DestinyThrottledByGameServer: game-server load, not our per-address rate. */
const GAME_SERVER_THROTTLE_CODE = 1672

export function outcomeFromResult(result: BungieResultLike): Outcome {
  const latencyMs = result.meta.latencyMs
  switch (result.kind) {
    case "ok":
    case "notFound":
    case "blocked":
    case "badFormat":
    case "disabled":
      return { kind: result.kind, latencyMs, waitMs: result.waitMs ?? null }
    case "throttled": {
      const gameServer = result.meta.errorCode === GAME_SERVER_THROTTLE_CODE || result.meta.httpStatus === 503
      return { kind: gameServer ? "serverThrottled" : "throttled", latencyMs, waitMs: result.waitMs ?? null }
    }
    default:
      // transient, fatal and anything new: counted, never a rate signal.
      return { kind: "transient", latencyMs }
  }
}

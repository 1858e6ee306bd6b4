/**
 * The periodic one-line status: what an operator greps for. Ids as strings, rates rounded.
 *
 * Lag here is from the activity's END (the PGCR's completion time) to resolution: it includes
 * the 0-40 s before Bungie even creates the id, which no crawler can shorten. The lag a crawler
 * controls, from publication to stored, is the bench's (bench/README.md, `frontier`); the key
 * names say which one this is.
 */
import type { Limiter } from "../../../lib/ratelimit/index.ts"
import type { IdSpace } from "../shared/id-space.ts"
import type { CoordinatorStatus } from "./coordinator.ts"

const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null)

export function formatStatus(
  status: CoordinatorStatus,
  resolvedPerSec: number,
  fetchers: number,
  space: IdSpace,
  limiter: Limiter,
): Record<string, unknown> {
  const d = status.decision
  const snapshot = limiter.snapshot()
  const throttled = snapshot.addresses.reduce((n, a) => n + a.throttled, 0)
  const sent = snapshot.addresses.reduce((n, a) => n + a.sent, 0)
  return {
    rate: round(resolvedPerSec),
    lagFromCompletionP50s: d ? round(d.lagP50Ms / 1000) : null,
    lagFromCompletionP99s: d ? round(d.lagP99Ms / 1000) : null,
    share404: d ? round(d.share404, 3) : null,
    fetchers,
    inFlight: snapshot.inFlight,
    lowWater: status.lowWater.toString(),
    cursor: status.cursor.toString(),
    ceiling: status.ceiling.toString(),
    frontier: d?.frontierEstimate?.toString() ?? null,
    writerQueue: space.writerQueue,
    retryBacklog: space.retryBacklog,
    raidsStored: status.raidsStored,
    missed: status.missed,
    requests: sent,
    throttled,
    paused: snapshot.pausedUntil > snapshot.now ? snapshot.pauseReason : "no",
  }
}

/**
 * Does a PGCR exist? One id through the rate-limited client, for the coordinator's searches (start
 * point, frontier, dead blocks, look-ahead). Throttles and errors are retried a bounded number of
 * times; `undecided` is the answer when they never stop: a gap search must not skip an id it could
 * not see, a look-ahead must not jump to one.
 */
import type { RateLimitedBungie } from "../../../lib/bungie/rate-limited.ts"
import { pgcrCompletedAt } from "../../../lib/pgcr/process.ts"

export type ProbeAnswer = "exists" | "missing"
export type Probe = (id: bigint, undecided?: ProbeAnswer) => Promise<ProbeAnswer>

/** A key or request problem no retry fixes (bad API key, a proxy rejecting us). */
export class ProbeRefusedError extends Error {
  override name = "ProbeRefusedError"
}

const PROBE_ATTEMPTS = 8

export function createProbe(bungie: Pick<RateLimitedBungie, "call">, attempts = PROBE_ATTEMPTS): Probe {
  return async (id, undecided = "exists") => {
    const result = await bungie.call((client) => client.getPgcr(id), { maxAttempts: attempts })
    switch (result.kind) {
      case "ok":
      case "blocked":
        return "exists"
      case "notFound":
        return "missing"
      case "fatal":
        throw new ProbeRefusedError(`Bungie refused the request: ${result.reason}`)
      default:
        return undecided
    }
  }
}

/** When the activity of an existing PGCR ended (epoch ms); null when missing, withheld or undecided. */
export type CompletionProbe = (id: bigint) => Promise<number | null>

export function createCompletionProbe(bungie: Pick<RateLimitedBungie, "call">, attempts = PROBE_ATTEMPTS): CompletionProbe {
  return async (id) => {
    const result = await bungie.call((client) => client.getPgcr(id), { maxAttempts: attempts })
    return result.kind === "ok" ? pgcrCompletedAt(result.value.pgcr) : null
  }
}

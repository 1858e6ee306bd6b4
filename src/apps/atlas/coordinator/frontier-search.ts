/**
 * Finds the newest published PGCR id by probing the PGCR endpoint: used once, on an empty
 * database with no --from. Exponential search up from a known existing id, then bisection.
 *
 * Ids are not dense (lost PGCRs, rare gaps), so "exists at x" is judged on a small window
 * [x, x + window): one missing id must not end the search early. Every phase is bounded; a
 * probe that cannot decide (throttled, outage) is retried by the caller's probe function and
 * reported here as an error, which this search treats as "missing" (as the original did) so it
 * stays bounded and errs toward starting lower, never skipping ids.
 */

export type ProbeOutcome = "exists" | "missing" | "error"

export interface FrontierSearchOptions {
  /** Probe one id. */
  probe: (id: bigint) => Promise<ProbeOutcome>
  /** A id believed to exist (newest stored instance, simulator start); null = scan for one. */
  hint: bigint | null
  /** Ids probed per window (default 4). */
  window?: number
  /** Upper bound on probes over the whole search (default 200). */
  maxProbes?: number
  /** First step of the upward gallop (default 1,000). */
  initialStep?: bigint
  /** Highest id considered at all (default 1e12, as the original). */
  ceiling?: bigint
}

export interface FrontierSearchResult {
  /** Newest id found to exist; null when none was found within the budget. */
  newest: bigint | null
  probes: number
}

export async function searchFrontier(options: FrontierSearchOptions): Promise<FrontierSearchResult> {
  const window = BigInt(options.window ?? 4)
  const maxProbes = options.maxProbes ?? 200
  const ceiling = options.ceiling ?? 1_000_000_000_000n
  let probes = 0

  // Newest existing id in [x, x + window), or null. Probes from the top so the answer is tight.
  const probeWindow = async (x: bigint): Promise<bigint | null> => {
    for (let id = x + window - 1n; id >= x && id >= 1n; id--) {
      if (probes >= maxProbes) return null
      probes++
      if ((await options.probe(id)) === "exists") return id
    }
    return null
  }

  // Phase 1: an existing lower bound.
  let lo: bigint | null = null
  if (options.hint !== null) lo = await probeWindow(options.hint)
  if (lo === null) {
    // Scan down from the ceiling by factors of ~1/1.25 (about 60 steps reach 1e6), one id per
    // step: a single lost id below the head only costs one more step down, while windows here
    // would spend most of the budget on ids that cannot exist yet.
    for (let x = ceiling; x >= 1_000_000n && lo === null && probes < maxProbes; x = (x * 4n) / 5n) {
      probes++
      if ((await options.probe(x)) === "exists") lo = x
    }
  }
  if (lo === null) return { newest: null, probes }

  // Phase 2: gallop up until a window is empty.
  let step = options.initialStep ?? 1_000n
  let hi: bigint | null = null
  while (probes < maxProbes) {
    const x = lo + step
    if (x >= ceiling) {
      hi = ceiling
      break
    }
    const found = await probeWindow(x)
    if (found === null) {
      hi = x
      break
    }
    lo = found
    step *= 2n
  }
  if (hi === null) return { newest: lo, probes }
  let upper: bigint = hi

  // Phase 3: bisect between the newest known existing id and the first empty window.
  while (upper - lo > window && probes < maxProbes) {
    const mid: bigint = lo + (upper - lo) / 2n
    const found = await probeWindow(mid)
    if (found === null) upper = mid
    else lo = found
  }
  // Final sweep of the few ids between the bounds, newest first.
  for (let id = upper - 1n; id > lo && probes < maxProbes; id--) {
    probes++
    if ((await options.probe(id)) === "exists") return { newest: id, probes }
  }
  return { newest: lo, probes }
}

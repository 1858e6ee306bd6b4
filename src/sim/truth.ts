// Ground truth for tests and benchmarks: what exists, what is a raid, what is visible when.
import { parseIdOption } from "./options.ts"
import type { Frontier, SimState, TruthEntry } from "./state.ts"
import type { SimStats } from "./stats.ts"

export const MAX_TRUTH_RANGE = 200_000

export interface SimTruth {
  frontier(): Frontier
  /** Every id in [from, to) (at most 200,000). */
  range(from: bigint | number | string, to: bigint | number | string): TruthEntry[]
  id(id: bigint | number | string): TruthEntry
  stats(): ReturnType<SimStats["snapshot"]>
}

export function createTruth(state: SimState, stats: SimStats, now: () => number): SimTruth {
  return {
    frontier: () => state.frontier(now()),
    range: (fromRaw, toRaw) => {
      const from = Number(parseIdOption("from", fromRaw))
      const to = Number(parseIdOption("to", toRaw))
      if (to < from) throw new Error(`sim truth: to (${to}) < from (${from})`)
      if (to - from > MAX_TRUTH_RANGE) throw new Error(`sim truth: range too large (${to - from} > ${MAX_TRUTH_RANGE})`)
      const t = now()
      const out: TruthEntry[] = []
      for (let id = from; id < to; id++) out.push(state.truth(id, t))
      return out
    },
    id: (raw) => state.truth(Number(parseIdOption("id", raw)), now()),
    stats: () => stats.snapshot(),
  }
}

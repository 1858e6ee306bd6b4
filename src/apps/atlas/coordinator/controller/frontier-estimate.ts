/**
 * Frontier estimate (pure): where the newest published id is now, from recently seen existing
 * ids and their completion times. Ids follow completion time at 25-100 ids/s but only roughly
 * (neighbours can be tens of seconds apart), so one id's timestamp is noise; a least-squares
 * line through the last samples gives both the id rate and a smoothed "id completing at t".
 * The estimate is never below the newest id actually seen. Arithmetic on ids stays in bigint;
 * the regression works on small offsets from a bigint base.
 */

export interface FrontierSamples {
  /** Bigint base; offsets are Number(id - base), small. */
  base: bigint | null
  times: number[]
  offsets: number[]
  newest: bigint | null
  newestAt: number
  maxSamples: number
  maxAgeMs: number
}

export interface FrontierFit {
  /** Ids per second (>= 0). */
  idRate: number
  /** Estimated newest id at the asked time (>= newest seen). */
  estimate: bigint
}

export function createFrontierSamples(maxSamples = 256, maxAgeMs = 5 * 60_000): FrontierSamples {
  return { base: null, times: [], offsets: [], newest: null, newestAt: Number.NaN, maxSamples, maxAgeMs }
}

/** Record an existing id and the time it corresponds to (completion time, else discovery time). */
export function addFrontierSample(s: FrontierSamples, id: bigint, at: number): void {
  // Only new record ids enter the fit. An id below the newest seen is a hole filled late (a
  // clump published minutes late, a retried 404): paired with a present time it says nothing
  // about the head and bends the line flat, which froze the estimate (and the ceiling).
  if (s.newest !== null && id <= s.newest) return
  if (s.base === null) s.base = id
  // Rebase when ids drift far from the base so offsets stay exact small numbers.
  if (id - s.base > 1_000_000_000n || s.base - id > 1_000_000_000n) {
    s.times = []
    s.offsets = []
    s.base = id
  }
  s.times.push(at)
  s.offsets.push(Number(id - s.base))
  if (s.times.length > s.maxSamples) {
    s.times.shift()
    s.offsets.shift()
  }
  if (s.newest === null || id > s.newest) {
    s.newest = id
    s.newestAt = at
  }
}

/** Forget every sample (after the cursor jumped over a gap). */
export function resetFrontierSamples(s: FrontierSamples): void {
  s.base = null
  s.times = []
  s.offsets = []
  s.newest = null
  s.newestAt = Number.NaN
}

/** Fit at `now`; null before any sample. `fallbackRate` is used while the line is underdetermined. */
export function fitFrontier(s: FrontierSamples, now: number, fallbackRate: number): FrontierFit | null {
  if (s.newest === null || s.base === null) return null
  let n = 0
  let sumT = 0
  let sumY = 0
  for (let i = 0; i < s.times.length; i++) {
    if (now - s.times[i]! > s.maxAgeMs) continue
    n++
    sumT += s.times[i]!
    sumY += s.offsets[i]!
  }
  let idRate = fallbackRate
  let predicted = Number(s.newest - s.base) + (fallbackRate * Math.max(0, now - s.newestAt)) / 1000
  if (n >= 8) {
    const meanT = sumT / n
    const meanY = sumY / n
    let cov = 0
    let varT = 0
    for (let i = 0; i < s.times.length; i++) {
      if (now - s.times[i]! > s.maxAgeMs) continue
      const dt = s.times[i]! - meanT
      cov += dt * (s.offsets[i]! - meanY)
      varT += dt * dt
    }
    // Need at least ~2 s of spread for a meaningful slope.
    if (varT / n > 1_000_000) {
      idRate = Math.max(0, (cov / varT) * 1000)
      predicted = meanY + (idRate * (now - meanT)) / 1000
    }
  }
  const estimate = s.base + BigInt(Math.round(predicted))
  return { idRate, estimate: estimate > s.newest ? estimate : s.newest }
}

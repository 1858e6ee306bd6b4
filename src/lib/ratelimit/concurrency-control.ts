/**
 * Concurrency that follows latency (pure): a gradient controller in the style of Netflix's
 * gradient2. A long-term RTT (slow EWMA) is the baseline; a short-term RTT (fast EWMA) is the
 * present. While short <= tolerance * long the limit grows by a small queue allowance per
 * sample; when latency rises the gradient (< 1) shrinks it proportionally. Samples taken while
 * fewer than half the permits are in use change nothing (the caller, not the server, was the
 * bottleneck, so the sample says nothing about the limit).
 */

export interface ConcurrencyParams {
  minConcurrency: number
  maxConcurrency: number
  rttTolerance: number
  concurrencySmoothing: number
  serverThrottleConcurrencyFactor: number
  decreaseCooldownMs: number
}

export interface ConcurrencyState {
  /** Real-valued estimate; the enforced limit is its floor. */
  estimate: number
  /** Fast EWMA of latency (ms); NaN before the first sample. */
  shortRtt: number
  /** Slow EWMA of latency (ms); NaN before the first sample. */
  longRtt: number
  lastDecreaseAt: number
}

const SHORT_ALPHA = 0.1
const LONG_ALPHA = 1 / 500
/** When the baseline is more than this multiple of the present, it is stale: pull it down. */
const LONG_RTT_DRIFT = 2

export function createConcurrencyState(initial: number): ConcurrencyState {
  return { estimate: initial, shortRtt: Number.NaN, longRtt: Number.NaN, lastDecreaseAt: Number.NEGATIVE_INFINITY }
}

export function computeConcurrencyLimit(state: ConcurrencyState, p: ConcurrencyParams): number {
  return Math.max(p.minConcurrency, Math.min(p.maxConcurrency, Math.floor(state.estimate)))
}

/** Feed one latency sample observed with `inFlight` permits outstanding (before release). */
export function updateConcurrency(state: ConcurrencyState, p: ConcurrencyParams, latencyMs: number, inFlight: number): ConcurrencyState {
  if (!(latencyMs > 0) || !Number.isFinite(latencyMs)) return state
  state.shortRtt = Number.isNaN(state.shortRtt) ? latencyMs : state.shortRtt + SHORT_ALPHA * (latencyMs - state.shortRtt)
  state.longRtt = Number.isNaN(state.longRtt) ? latencyMs : state.longRtt + LONG_ALPHA * (latencyMs - state.longRtt)
  if (state.longRtt / state.shortRtt > LONG_RTT_DRIFT) state.longRtt *= 0.95
  if (inFlight < state.estimate / 2) return state
  const gradient = Math.max(0.5, Math.min(1, (p.rttTolerance * state.longRtt) / state.shortRtt))
  const queueAllowance = Math.max(1, Math.sqrt(state.estimate))
  const target = state.estimate * gradient + queueAllowance
  state.estimate = clamp(state.estimate * (1 - p.concurrencySmoothing) + target * p.concurrencySmoothing, p)
  return state
}

/** Game-server throttle (1672/503): multiplicative decrease, once per cooldown. */
export function decreaseConcurrency(state: ConcurrencyState, p: ConcurrencyParams, now: number): boolean {
  if (now - state.lastDecreaseAt < p.decreaseCooldownMs) return false
  state.estimate = clamp(state.estimate * p.serverThrottleConcurrencyFactor, p)
  state.lastDecreaseAt = now
  return true
}

function clamp(v: number, p: ConcurrencyParams): number {
  return Math.max(p.minConcurrency, Math.min(p.maxConcurrency, v))
}

/**
 * AIMD on the per-address ceiling of a rolling-window limiter (pure, no shared memory).
 *
 * Why not plain AIMD: Bungie blocks an address while its 10 s average exceeds ~25 req/s and
 * asks for a ThrottleSeconds (~10 s) pause. Every throttle therefore costs ~10 s of traffic, so
 * a sawtooth that crosses the limit every minute would lose >15 %. Instead the ceiling
 * remembers where it was throttled (the learned limit M) and, like CUBIC:
 *  1. decreases once per throttle episode: C = C * decreaseFactor, M = C_before;
 *  2. recovers linearly within `recoverSec` to a plateau P = M * (1 - plateauMargin);
 *  3. holds the plateau for `probeHoldSec` clean seconds, then probes above it very slowly.
 * Before any throttle (no M) it grows at `freeIncreasePerSec` up to maxCeiling.
 * Growth only happens while the window is nearly full (utilisation), so an idle address does
 * not drift up and then burst through the limit when load returns.
 */
import type { LimiterOptions } from "./options.ts"

/** The limiter options this control law reads (documented on LimiterOptions). */
export type CeilingParams = Pick<
  LimiterOptions,
  | "minCeiling"
  | "maxCeiling"
  | "decreaseFactor"
  | "decreaseCooldownMs"
  | "freeIncreasePerSec"
  | "recoverSec"
  | "plateauMargin"
  | "probeHoldSec"
  | "probeIncreasePerSec"
  | "growthUtilization"
>

export interface CeilingState {
  /** Current ceiling, req/s. */
  ceiling: number
  /** Ceiling at the last decrease; NaN before the first throttle. */
  learnedLimit: number
  /** Time of the last decrease; -Infinity before the first. */
  lastDecreaseAt: number
  /** Time growth was last accounted; growth integrates over (lastGrowthAt, now]. */
  lastGrowthAt: number
  /** When the plateau was reached; NaN while below it. */
  plateauSince: number
}

/** Longest interval one growth step may integrate over: a stalled thread must not jump. */
const MAX_GROWTH_STEP_MS = 1_000

export function createCeilingState(initialCeiling: number, now: number): CeilingState {
  return {
    ceiling: initialCeiling,
    learnedLimit: Number.NaN,
    lastDecreaseAt: Number.NEGATIVE_INFINITY,
    lastGrowthAt: now,
    plateauSince: Number.NaN,
  }
}

/** The level the ceiling recovers to quickly after a decrease. */
export function computePlateau(state: CeilingState, p: CeilingParams): number {
  return Number.isNaN(state.learnedLimit) ? p.maxCeiling : state.learnedLimit * (1 - p.plateauMargin)
}

/**
 * Account clean time up to `now`. `utilization` = window count / (ceiling * window): below
 * `growthUtilization` the time passes without growth. Mutates and returns `state`.
 */
export function growCeiling(state: CeilingState, p: CeilingParams, now: number, utilization: number): CeilingState {
  const dtMs = Math.min(Math.max(0, now - state.lastGrowthAt), MAX_GROWTH_STEP_MS)
  state.lastGrowthAt = Math.max(state.lastGrowthAt, now)
  if (dtMs === 0 || utilization < p.growthUtilization) return state
  const dt = dtMs / 1000
  if (Number.isNaN(state.learnedLimit)) {
    state.ceiling += p.freeIncreasePerSec * dt
  } else {
    const plateau = computePlateau(state, p)
    if (state.ceiling < plateau) {
      // Linear recovery sized so a full decrease is undone in recoverSec.
      const recoveryRate = (state.learnedLimit * (1 - p.decreaseFactor - p.plateauMargin)) / p.recoverSec
      state.ceiling = Math.min(plateau, state.ceiling + Math.max(recoveryRate, p.probeIncreasePerSec) * dt)
      if (state.ceiling >= plateau) state.plateauSince = now
    } else {
      if (Number.isNaN(state.plateauSince)) state.plateauSince = now
      if ((now - state.plateauSince) / 1000 >= p.probeHoldSec) state.ceiling += p.probeIncreasePerSec * dt
    }
  }
  state.ceiling = clampCeiling(state.ceiling, p)
  return state
}

/**
 * A throttle answered a request issued at `issuedAt`. One episode decreases once: a throttle
 * for a request sent before the last decrease, or within the cooldown, changes nothing.
 * Returns true when the ceiling was decreased.
 */
export function decreaseCeiling(state: CeilingState, p: CeilingParams, now: number, issuedAt: number): boolean {
  if (issuedAt < state.lastDecreaseAt) return false
  if (now - state.lastDecreaseAt < p.decreaseCooldownMs) return false
  state.learnedLimit = state.ceiling
  state.ceiling = clampCeiling(state.ceiling * p.decreaseFactor, p)
  state.lastDecreaseAt = now
  state.lastGrowthAt = now
  state.plateauSince = Number.NaN
  return true
}

function clampCeiling(c: number, p: CeilingParams): number {
  return Math.min(p.maxCeiling, Math.max(p.minCeiling, c))
}

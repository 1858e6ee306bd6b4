/**
 * Claim-lead control (pure): how far past the frontier estimate fetchers may claim, steered by
 * the share of 404s among first tries. Ids past the newest published PGCR answer 404, so the
 * 404 share measures how far ahead we run: too high wastes requests (each 404 is retried), too
 * low means we trail the frontier and lag grows. The lead is kept in seconds of ids so the same
 * gains work at 25 or 150 ids/s.
 *
 * The 404 share alone cannot tell "at the frontier" from "ten seconds behind it": late and lost
 * ids keep a baseline of 404s inside the dead-zone either way. So lag (now - completion) is the
 * second signal: while the share is not above the dead-zone and lag exceeds its target, the lead
 * grows. If Bungie publishes later than the lag target, growth continues only until the 404
 * share leaves the dead-zone, which then pulls the lead back: the 404 share is the brake.
 *
 * Proportional steps with a dead-zone (no oscillation on noise), faster down than up (a 404
 * storm must stop within seconds), and anti-windup: the lead only grows while the claim ceiling
 * actually binds (fetchers waited on it); while we are behind and rate-limited it stays put.
 */

export interface LeadParams {
  /** Target share of 404s among first tries near the head (the original used 2.5 %). */
  target404Share: number
  /** No change while |share - target| <= deadZone (unless lag is above its target). */
  deadZone: number
  /** Lag p50 (now - completion) the lead pushes toward while 404s allow. */
  targetLagMs: number
  /** Lead change (s) per tick per unit of relative error ((|e| - deadZone) / target). */
  gainDownSec: number
  gainUpSec: number
  maxStepDownSec: number
  maxStepUpSec: number
  minLeadSec: number
  maxLeadSec: number
}

export const DEFAULT_LEAD_PARAMS: Readonly<LeadParams> = Object.freeze({
  target404Share: 0.025,
  deadZone: 0.01,
  targetLagMs: 2_000,
  gainDownSec: 0.5,
  gainUpSec: 0.25,
  maxStepDownSec: 3,
  maxStepUpSec: 1,
  minLeadSec: -20,
  maxLeadSec: 10,
})

export interface LeadInputs {
  /** Decayed 404 share; NaN when there were too few first tries to judge. */
  share404: number
  /** True when fetchers found nothing to claim below the ceiling since the last tick. */
  ceilingBinding: boolean
  /** Recent lag p50 (now - completion), ms; NaN without data. */
  lagP50Ms: number
}

/** Next lead (s) from the current one. */
export function stepLead(leadSec: number, inputs: LeadInputs, p: LeadParams): number {
  const e = inputs.share404 - p.target404Share
  let next = leadSec
  if (e > p.deadZone) {
    next -= Math.min(p.maxStepDownSec, (p.gainDownSec * (e - p.deadZone)) / p.target404Share)
  } else if (inputs.ceilingBinding) {
    // Grow on whichever says "behind": too few 404s, or lag above target.
    const fromShare = e < -p.deadZone ? (-e - p.deadZone) / p.target404Share : 0
    const fromLag = inputs.lagP50Ms > p.targetLagMs ? (inputs.lagP50Ms - p.targetLagMs) / p.targetLagMs : 0
    next += Math.min(p.maxStepUpSec, p.gainUpSec * Math.max(fromShare, fromLag))
  }
  return Math.max(p.minLeadSec, Math.min(p.maxLeadSec, next))
}

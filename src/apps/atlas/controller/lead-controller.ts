/**
 * Claim-lead control (pure): how far past the frontier estimate fetchers may claim, steered by
 * the share of 404s among first tries. Ids past the newest published PGCR answer 404, so the
 * 404 share measures how far ahead we run: too high wastes requests (each 404 is retried), too
 * low means we trail the frontier and lag grows. The lead is kept in seconds of ids so the same
 * gains work at 25 or 150 ids/s.
 *
 * Proportional steps with a dead-zone (no oscillation on noise), faster down than up (a 404
 * storm must stop within seconds), and anti-windup: the lead only grows while the claim ceiling
 * actually binds (fetchers waited on it); while we are behind and rate-limited it stays put.
 */

export interface LeadParams {
  /** Target share of 404s among first tries near the head (the original used 2.5 %). */
  target404Share: number
  /** No change while |share - target| <= deadZone. */
  deadZone: number
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
  gainDownSec: 0.5,
  gainUpSec: 0.25,
  maxStepDownSec: 3,
  maxStepUpSec: 0.5,
  minLeadSec: -30,
  maxLeadSec: 10,
})

export interface LeadInputs {
  /** Decayed 404 share; NaN when there were too few first tries to judge. */
  share404: number
  /** True when fetchers found nothing to claim below the ceiling since the last tick. */
  ceilingBinding: boolean
}

/** Next lead (s) from the current one. */
export function stepLead(leadSec: number, inputs: LeadInputs, p: LeadParams): number {
  const e = inputs.share404 - p.target404Share
  if (Number.isNaN(e) || Math.abs(e) <= p.deadZone) return leadSec
  const relative = (Math.abs(e) - p.deadZone) / p.target404Share
  let next = leadSec
  if (e > 0) next -= Math.min(p.maxStepDownSec, p.gainDownSec * relative)
  else if (inputs.ceilingBinding) next += Math.min(p.maxStepUpSec, p.gainUpSec * relative)
  return Math.max(p.minLeadSec, Math.min(p.maxLeadSec, next))
}

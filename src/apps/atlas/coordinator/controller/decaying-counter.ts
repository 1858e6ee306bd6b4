/**
 * Exponentially time-decayed sums (pure). Each observation's weight halves every `halfLifeMs`,
 * so the controller sees the last few seconds, not the last five minutes, and irregular
 * observation times need no fixed tick.
 */

export interface DecayingSum {
  value: number
  lastAt: number
}

export function createDecayingSum(now: number): DecayingSum {
  return { value: 0, lastAt: now }
}

/** Decay to `now` (never backwards) and add `amount`. */
export function addDecaying(s: DecayingSum, halfLifeMs: number, now: number, amount: number): DecayingSum {
  decayTo(s, halfLifeMs, now)
  s.value += amount
  return s
}

export function readDecaying(s: DecayingSum, halfLifeMs: number, now: number): number {
  return decayTo(s, halfLifeMs, now).value
}

/** Events per second: the decayed sum divided by its mean age (halfLife / ln 2). */
export function readDecayingRate(s: DecayingSum, halfLifeMs: number, now: number): number {
  return (readDecaying(s, halfLifeMs, now) * Math.LN2 * 1000) / halfLifeMs
}

/** Share of `hits` in `total`; NaN while the total weight is below `minWeight` (too little data). */
export function computeDecayingShare(hits: DecayingSum, total: DecayingSum, halfLifeMs: number, now: number, minWeight: number): number {
  const t = readDecaying(total, halfLifeMs, now)
  if (t < minWeight) return Number.NaN
  return Math.min(1, readDecaying(hits, halfLifeMs, now) / t)
}

function decayTo(s: DecayingSum, halfLifeMs: number, now: number): DecayingSum {
  if (now > s.lastAt) {
    s.value *= 0.5 ** ((now - s.lastAt) / halfLifeMs)
    s.lastAt = now
  }
  return s
}

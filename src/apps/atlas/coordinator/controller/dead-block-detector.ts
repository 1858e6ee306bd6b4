/**
 * Dead-block detection (pure): nearly every first try 404s for a sustained time although we
 * keep claiming. At the head this does not happen in steady state (the lead controller backs
 * off and late ids appear); behind a block of ids Bungie never published it does, and only a
 * forward search (gap-search.ts) can tell which ids exist further on.
 */

export interface DeadBlockParams {
  /** 404 share at or above which the block looks dead. */
  minShare: number
  /** How long the share must stay there. */
  sustainMs: number
  /** First tries that must have 404ed meanwhile (not a quiet minute). */
  minNotFound: number
  /** After a search that skipped a gap, wait this long before suspecting again. */
  cooldownMs: number
  /**
   * After a search that found nothing: shorter, because right after a block skip the live ids
   * past it are a narrow band that grows by the id rate; a later search finds it.
   */
  retryAfterNoneMs: number
}

export const DEFAULT_DEAD_BLOCK_PARAMS: Readonly<DeadBlockParams> = Object.freeze({
  minShare: 0.99,
  sustainMs: 10_000,
  minNotFound: 100,
  cooldownMs: 60_000,
  retryAfterNoneMs: 15_000,
})

export interface DeadBlockState {
  since: number
  notFoundSince: number
  quietUntil: number
}

export function createDeadBlockState(): DeadBlockState {
  return { since: Number.NaN, notFoundSince: 0, quietUntil: Number.NEGATIVE_INFINITY }
}

/** Feed one tick: the decayed share and the 404 first tries since the last tick. */
export function detectDeadBlock(s: DeadBlockState, p: DeadBlockParams, now: number, share404: number, notFoundThisTick: number): boolean {
  if (now < s.quietUntil || !(share404 >= p.minShare)) {
    s.since = Number.NaN
    s.notFoundSince = 0
    return false
  }
  if (Number.isNaN(s.since)) s.since = now
  s.notFoundSince += notFoundThisTick
  return now - s.since >= p.sustainMs && s.notFoundSince >= p.minNotFound
}

/** A search ran: rest before suspecting again (shorter when it found nothing). */
export function quietDeadBlock(s: DeadBlockState, p: DeadBlockParams, now: number, skippedGap: boolean): void {
  s.since = Number.NaN
  s.notFoundSince = 0
  s.quietUntil = now + (skippedGap ? p.cooldownMs : p.retryAfterNoneMs)
}

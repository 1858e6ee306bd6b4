// Floodgates (code 12 InsufficientPrivileges): Bungie withholding raid PGCRs, e.g. during a
// race, and releasing them later. Each closing starts an episode; the opening releases the
// withheld ids oldest first in waves spread over `durationMs`. Episodes are kept, so the truth
// can say which ids were withheld and when each was released.
import type { FloodgateOptions, FloodgateRelease } from "./options.ts"

export interface FloodgateEpisode {
  closedAt: number
  /** Null while the gates are closed. */
  openedAt: number | null
  hashes: number[]
  /** Only ids at or above this are withheld (null = every raid id below `toId`). */
  fromId: number | null
  /** Head when the gates closed: the low end of the wave partition when fromId is null. */
  headAtClose: number
  /** Head when the gates opened (exclusive): ids created later were never withheld. */
  toId: number | null
  release: FloodgateRelease
}

export interface FloodgateWave {
  index: number
  at: number
  /** Ids of this wave: [fromId, toId) (the first wave also takes every older withheld id). */
  fromId: string
  toId: string
}

export interface FloodgateEpisodeView {
  closedAt: number
  openedAt: number | null
  hashes: number[]
  fromId: string | null
  toId: string | null
  waves: FloodgateWave[]
}

export interface Withholding {
  /** When the id started answering 12 (its publication, or the closing if later). */
  since: number
  /** When it answers 200 again (possibly a scheduled time ahead); null while the gates stay closed. */
  releasedAt: number | null
}

export class Floodgates {
  readonly episodes: FloodgateEpisode[] = []

  constructor(private readonly headAt: (ms: number) => number) {}

  /** The episode currently closed (not yet opened, or scheduled to open later than `nowMs`). */
  private openable(nowMs: number): FloodgateEpisode | null {
    const last = this.episodes[this.episodes.length - 1]
    if (!last) return null
    return last.openedAt === null || last.openedAt > nowMs ? last : null
  }

  /** Brings the episodes in line with the options after a change (or at start). */
  reconcile(options: FloodgateOptions, startMs: number, nowMs: number): void {
    const current = this.openable(nowMs)
    if (options.closed) {
      const scheduled = options.openAfterMs === null ? null : startMs + options.openAfterMs
      const fromId = options.fromId === null ? null : Number(options.fromId)
      if (current) {
        current.hashes = [...options.hashes]
        current.fromId = fromId
        current.openedAt = scheduled !== null && scheduled > nowMs ? scheduled : null
        current.toId = null
        current.release = { ...options.release }
      } else {
        this.episodes.push({
          closedAt: nowMs,
          openedAt: scheduled !== null && scheduled > nowMs ? scheduled : null,
          hashes: [...options.hashes],
          fromId,
          headAtClose: this.headAt(nowMs),
          toId: null,
          release: { ...options.release },
        })
      }
    } else if (current) {
      current.openedAt = nowMs
      current.toId = null
      current.release = { ...options.release }
    }
  }

  /** Whether a published raid `id` of `hash` answers 12 at `nowMs`. */
  withheldAt(id: number, hash: number, nowMs: number): boolean {
    for (const e of this.episodes) {
      if (nowMs < e.closedAt || !this.covers(e, id, hash)) continue
      const release = this.releaseAt(e, id)
      if (release === null || nowMs < release) return true
    }
    return false
  }

  /** True when the last episode opened by its schedule (openAfterMs) at or before `nowMs`. */
  openedBySchedule(nowMs: number): boolean {
    const last = this.episodes[this.episodes.length - 1]
    return last !== undefined && last.openedAt !== null && last.openedAt <= nowMs
  }

  /** The latest episode that withheld `id`, with when it started and ended. */
  history(id: number, hash: number, publishedAt: number, nowMs: number): Withholding | null {
    let found: Withholding | null = null
    for (const e of this.episodes) {
      if (nowMs < e.closedAt || !this.covers(e, id, hash)) continue
      const release = this.releaseAt(e, id)
      const since = Math.max(e.closedAt, publishedAt)
      if (release !== null && since >= release) continue
      if (since > nowMs) continue
      found = { since, releasedAt: release }
    }
    return found
  }

  views(): FloodgateEpisodeView[] {
    return this.episodes.map((e) => {
      const toId = this.toIdOf(e)
      const waves: FloodgateWave[] = []
      if (e.openedAt !== null && toId !== null) {
        const lo = this.lowOf(e)
        const n = Math.max(1, e.release.waves)
        for (let i = 0; i < n; i++) {
          waves.push({
            index: i,
            at: this.waveTime(e, i),
            fromId: String(i === 0 ? (e.fromId ?? 0) : lo + Math.ceil(((toId - lo) * i) / n)),
            toId: String(i === n - 1 ? toId : lo + Math.ceil(((toId - lo) * (i + 1)) / n)),
          })
        }
      }
      return {
        closedAt: e.closedAt,
        openedAt: e.openedAt,
        hashes: e.hashes,
        fromId: e.fromId === null ? null : String(e.fromId),
        toId: toId === null ? null : String(toId),
        waves,
      }
    })
  }

  private covers(e: FloodgateEpisode, id: number, hash: number): boolean {
    if (e.hashes.length > 0 && !e.hashes.includes(hash)) return false
    if (e.fromId !== null && id < e.fromId) return false
    const toId = this.toIdOf(e)
    return toId === null || id < toId
  }

  private toIdOf(e: FloodgateEpisode): number | null {
    if (e.openedAt === null) return null
    if (e.toId === null) e.toId = this.headAt(e.openedAt)
    return e.toId
  }

  private lowOf(e: FloodgateEpisode): number {
    return e.fromId ?? e.headAtClose
  }

  /** Release time of a covered id: its wave's time (oldest ids first); null while closed. */
  private releaseAt(e: FloodgateEpisode, id: number): number | null {
    const toId = this.toIdOf(e)
    if (e.openedAt === null || toId === null) return null
    const n = Math.max(1, e.release.waves)
    if (n === 1) return e.openedAt
    const lo = this.lowOf(e)
    const span = Math.max(1, toId - lo)
    const wave = id < lo ? 0 : Math.min(n - 1, Math.floor(((id - lo) * n) / span))
    return this.waveTime(e, wave)
  }

  private waveTime(e: FloodgateEpisode, wave: number): number {
    const n = Math.max(1, e.release.waves)
    if (n === 1 || e.release.durationMs <= 0) return e.openedAt!
    return e.openedAt! + Math.round((e.release.durationMs * wave) / (n - 1))
  }
}

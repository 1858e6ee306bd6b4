// The moving id space: which ids exist, when each was created and published. Ids at or
// above startId are created in real time (slot per second, bursts, noise); lower ids are
// history, aged by the id/date table. All per-id facts are pure functions of (seed, id).
import { estimateAgeMs } from "./id-dating.ts"
import type { WorldOptions } from "./options.ts"
import { unitFor } from "./random.ts"

export type IdState = "exists" | "skipped" | "lost" | "dead" | "notCreated"
export type IdKind = "raid" | "pantheon" | "other"

export interface IdFacts {
  id: number
  state: IdState
  kind: IdKind
  /** ms epoch; null when not created (yet or ever). */
  createdAt: number | null
  /** ms epoch; null while unknown (not created, or its late batch is still open). */
  publishedAt: number | null
  /** First version lacks entries until this time (null = always complete). */
  incompleteUntil: number | null
  /** Activity end (ms epoch), a little before creation. */
  endedAt: number | null
}

const SALT = {
  skip: 1,
  lostBlock: 2,
  lostStart: 3,
  lostLen: 4,
  batchBlock: 5,
  batchStart: 6,
  batchLen: 7,
  batchDelay: 8,
  publish: 9,
  incomplete: 10,
  incompleteLen: 11,
  kind: 12,
  burst: 13,
  burstFactor: 14,
  noise: 15,
  endLag: 16,
} as const

const MAX_SAFE_START = 2 ** 52

export class World {
  readonly startId: number
  readonly startMs: number
  private readonly seed: number
  private readonly historyRate: number
  private forwardDead: Array<{ offset: number; length: number }> = []
  private historyDead: Array<{ from: number; to: number }> = []
  /** cumulative[k] = sequence positions created before slot k (slot = 1 s from startMs). */
  private cumulative: number[] = [0]
  private realCumulative = 0

  constructor(
    public options: WorldOptions,
    seed: number,
    startMs: number,
  ) {
    const start = Number(options.startId)
    if (!Number.isSafeInteger(start) || start < 1 || start > MAX_SAFE_START) {
      throw new Error(`sim: world.startId must be in 1..2^52, got ${options.startId}`)
    }
    if (!(options.ratePerSecond > 0)) throw new Error(`sim: world.ratePerSecond must be > 0, got ${options.ratePerSecond}`)
    this.startId = start
    this.seed = seed
    this.startMs = startMs
    this.historyRate = options.ratePerSecond
    for (const block of options.deadBlocks) {
      if (block.offset >= 0) this.forwardDead.push({ offset: block.offset, length: block.length })
      else this.historyDead.push({ from: start + block.offset, to: start + block.offset + block.length })
    }
    this.forwardDead.sort((a, b) => a.offset - b.offset)
  }

  /** Extends the per-second slots so that `nowMs` is covered. Rate changes apply from here on. */
  private materialise(nowMs: number): void {
    const slotNow = Math.floor((nowMs - this.startMs) / 1000)
    while (this.cumulative.length - 1 <= slotNow) {
      const k = this.cumulative.length - 1
      this.realCumulative += this.slotRate(k)
      this.cumulative.push(Math.floor(this.realCumulative))
    }
  }

  private slotRate(k: number): number {
    const o = this.options
    const block = Math.floor(k / 10)
    let factor = 1
    if (unitFor(this.seed, block, SALT.burst) < o.burstChance) {
      const [lo, hi] = o.burstFactor
      factor = lo + (hi - lo) * unitFor(this.seed, block, SALT.burstFactor)
    }
    const noise = 1 + o.rateNoise * (2 * unitFor(this.seed, k, SALT.noise) - 1)
    return Math.max(0, o.ratePerSecond * factor * noise)
  }

  /** Sequence positions (forward ids minus dead blocks) created by `nowMs`. */
  createdCount(nowMs: number): number {
    if (nowMs < this.startMs) return 0
    this.materialise(nowMs)
    const elapsed = nowMs - this.startMs
    const k = Math.floor(elapsed / 1000)
    const base = this.cumulative[k]!
    const inSlot = this.cumulative[k + 1]! - base
    return base + Math.floor(inSlot * ((elapsed - k * 1000) / 1000))
  }

  /** Next id the counter will hand out. */
  nextId(nowMs: number): number {
    return this.seqToId(this.createdCount(nowMs))
  }

  private seqToId(seq: number): number {
    let offset = seq
    for (const b of this.forwardDead) {
      if (offset >= b.offset) offset += b.length
      else break
    }
    return this.startId + offset
  }

  /** Sequence position of a forward id, or null inside a dead block. */
  private idToSeq(id: number): number | null {
    const offset = id - this.startId
    let removed = 0
    for (const b of this.forwardDead) {
      if (offset < b.offset) break
      if (offset < b.offset + b.length) return null
      removed += b.length
    }
    return offset - removed
  }

  /** Creation time of a forward sequence position if created by `nowMs`. */
  private seqCreatedAt(seq: number, nowMs: number): number | null {
    if (seq >= this.createdCount(nowMs)) return null
    const cum = this.cumulative
    let lo = 0
    let hi = cum.length - 2
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (cum[mid]! <= seq) lo = mid
      else hi = mid - 1
    }
    const inSlot = cum[lo + 1]! - cum[lo]!
    return this.startMs + lo * 1000 + ((seq - cum[lo]! + 0.5) / Math.max(inSlot, 1)) * 1000
  }

  createdAt(id: number, nowMs: number): number | null {
    if (id < this.startId) return this.startMs - estimateAgeMs(this.startId, id, this.historyRate)
    const seq = this.idToSeq(id)
    return seq === null ? null : this.seqCreatedAt(seq, nowMs)
  }

  isDead(id: number): boolean {
    if (id >= this.startId) return this.idToSeq(id) === null
    for (const d of this.historyDead) if (id >= d.from && id < d.to) return true
    return false
  }

  isSkipped(id: number): boolean {
    return unitFor(this.seed, id, SALT.skip) < this.options.skipRate
  }

  isLost(id: number): boolean {
    const block = Math.floor(id / 1000)
    return this.lostRunCovers(block, id) || this.lostRunCovers(block - 1, id)
  }

  private lostRunCovers(block: number, id: number): boolean {
    if (unitFor(this.seed, block, SALT.lostBlock) >= this.options.lostRunChance) return false
    const start = block * 1000 + Math.floor(unitFor(this.seed, block, SALT.lostStart) * 1000)
    const length = 1 + Math.floor(unitFor(this.seed, block, SALT.lostLen) * this.options.lostRunMax)
    return id >= start && id < start + length
  }

  kindOf(id: number): IdKind {
    const u = unitFor(this.seed, id, SALT.kind)
    const { raidShare, pantheonShare } = this.options
    if (u < raidShare) return "raid"
    if (u < raidShare + pantheonShare) return "pantheon"
    return "other"
  }

  /** The late clump (if any) covering id: [start, end) and its extra delay. */
  private batchFor(id: number): { end: number; delayMs: number } | null {
    const o = this.options
    const size = 500
    for (const block of [Math.floor(id / size), Math.floor(id / size) - 1]) {
      if (unitFor(this.seed, block, SALT.batchBlock) >= o.batchChance) continue
      const start = block * size + Math.floor(unitFor(this.seed, block, SALT.batchStart) * size)
      const length = o.batchLength[0] + Math.floor(unitFor(this.seed, block, SALT.batchLen) * (o.batchLength[1] - o.batchLength[0] + 1))
      if (id < start || id >= start + length) continue
      const [lo, hi] = o.batchDelayMs
      return { end: start + length, delayMs: lo + (hi - lo) * unitFor(this.seed, block, SALT.batchDelay) }
    }
    return null
  }

  facts(id: number, nowMs: number): IdFacts {
    const kind = this.kindOf(id)
    const none = { id, kind, createdAt: null, publishedAt: null, incompleteUntil: null, endedAt: null }
    if (this.isDead(id)) return { ...none, state: "dead" }
    const createdAt = this.createdAt(id, nowMs)
    if (createdAt === null) return { ...none, state: "notCreated" }
    if (this.isSkipped(id)) return { ...none, state: "skipped" }
    const o = this.options
    const endedAt = createdAt - (o.endLagMs[0] + (o.endLagMs[1] - o.endLagMs[0]) * unitFor(this.seed, id, SALT.endLag))
    if (this.isLost(id)) return { ...none, state: "lost", createdAt, endedAt }
    let publishedAt: number | null =
      createdAt + o.publishDelayMs[0] + (o.publishDelayMs[1] - o.publishDelayMs[0]) * unitFor(this.seed, id, SALT.publish)
    const batch = this.batchFor(id)
    if (batch) {
      // The whole clump appears at once, after its last id exists plus the batch delay.
      const lastCreated = this.createdAt(batch.end - 1, nowMs)
      publishedAt = lastCreated === null ? null : Math.max(publishedAt, lastCreated + batch.delayMs)
    }
    let incompleteUntil: number | null = null
    if (publishedAt !== null && unitFor(this.seed, id, SALT.incomplete) < o.incompleteRate) {
      const [lo, hi] = o.incompleteMs
      incompleteUntil = publishedAt + lo + (hi - lo) * unitFor(this.seed, id, SALT.incompleteLen)
    }
    return { id, state: "exists", kind, createdAt, publishedAt, incompleteUntil, endedAt }
  }

  /** Newest id visible at `nowMs` (searches back from the counter, bounded). */
  newestPublished(nowMs: number, searchBack = 5_000): number | null {
    const next = this.nextId(nowMs)
    for (let id = next - 1; id >= Math.max(1, next - searchBack); id--) {
      const f = this.facts(id, nowMs)
      if (f.state === "exists" && f.publishedAt !== null && f.publishedAt <= nowMs) return id
    }
    return null
  }
}

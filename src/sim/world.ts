// The moving id space: which ids exist, when each was created and published. Ids from the
// anchor (world.startId, created at the anchor time) on are created by the rate curve, a pure
// function of time (bursts, noise); lower ids are history, aged by the id/date table. All per-id
// facts are pure functions of (seed, options, id), so a sim started later with the same anchor
// serves the same world.
import { ForwardDeadBlocks } from "./dead-blocks.ts"
import { estimateAgeMs } from "./id-dating.ts"
import type { WorldOptions } from "./options.ts"
import { unitFor } from "./random.ts"
import { RateCurve, type RateShape } from "./rate-curve.ts"
import type { Regulars } from "./regulars.ts"

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
  endLag: 16,
} as const

const MAX_SAFE_START = 2 ** 52
/** Ids further than this past the head are answered "notCreated" without consulting dead blocks. */
const DEAD_HORIZON = 50_000_000

function shapeOf(o: WorldOptions): RateShape {
  return { ratePerSecond: o.ratePerSecond, burstChance: o.burstChance, burstFactor: o.burstFactor, rateNoise: o.rateNoise }
}

export class World {
  /** The id created at `anchorMs` (world.startId). */
  readonly anchorId: number
  readonly anchorMs: number
  private readonly seed: number
  private readonly historyRate: number
  private readonly curve: RateCurve
  private readonly forwardDead: ForwardDeadBlocks
  private readonly historyDead: Array<{ from: number; to: number }> = []
  private readonly raidCut: number
  private readonly pantheonCut: number

  constructor(
    public options: WorldOptions,
    seed: number,
    anchorMs: number,
    private readonly regulars: Regulars | null = null,
  ) {
    const start = Number(options.startId)
    if (!Number.isSafeInteger(start) || start < 1 || start > MAX_SAFE_START) {
      throw new Error(`sim: world.startId must be in 1..2^52, got ${options.startId}`)
    }
    this.anchorId = start
    this.seed = seed
    this.anchorMs = anchorMs
    this.historyRate = options.ratePerSecond
    this.curve = new RateCurve(seed, shapeOf(options))
    this.forwardDead = new ForwardDeadBlocks(options.deadBlocks, options.deadBlockEvery, seed)
    for (const block of options.deadBlocks) {
      if (block.offset < 0) this.historyDead.push({ from: start + block.offset, to: start + block.offset + block.length })
    }
    // Regulars' lanes are raids; the other ids are drawn so the overall shares stay as configured.
    const lane = regulars?.share ?? 0
    this.raidCut = Math.max(0, (options.raidShare - lane) / (1 - lane))
    this.pantheonCut = this.raidCut + options.pantheonShare / (1 - lane)
  }

  /** Applies changed rate options from `nowMs` on (ids already created keep their times). */
  retune(nowMs: number): void {
    this.curve.retune(shapeOf(this.options), nowMs - this.anchorMs)
  }

  /** Sequence positions (forward ids minus dead blocks) created by `nowMs`. */
  createdCount(nowMs: number): number {
    if (nowMs <= this.anchorMs) return 0
    const o = this.options
    const c = this.curve.current
    const changed =
      c.ratePerSecond !== o.ratePerSecond ||
      c.burstChance !== o.burstChance ||
      c.rateNoise !== o.rateNoise ||
      c.burstFactor[0] !== o.burstFactor[0] ||
      c.burstFactor[1] !== o.burstFactor[1]
    // Options mutated without a retune (a control applied directly): the change starts now.
    if (changed) this.retune(nowMs)
    return this.curve.count(nowMs - this.anchorMs)
  }

  /** Next id the counter will hand out. */
  nextId(nowMs: number): number {
    return this.seqToId(this.createdCount(nowMs))
  }

  private seqToId(seq: number): number {
    return this.anchorId + this.forwardDead.offsetOfSeq(seq)
  }

  /** Sequence position of a forward id, or null inside a dead block. */
  private idToSeq(id: number): number | null {
    return this.forwardDead.seqOfOffset(id - this.anchorId)
  }

  /** Creation time of a forward sequence position if created by `nowMs`. */
  private seqCreatedAt(seq: number, nowMs: number): number | null {
    if (seq >= this.createdCount(nowMs)) return null
    return this.anchorMs + this.curve.timeOf(seq + 0.5)
  }

  createdAt(id: number, nowMs: number): number | null {
    if (id < this.anchorId) return this.anchorMs - estimateAgeMs(this.anchorId, id, this.historyRate)
    const seq = this.idToSeq(id)
    return seq === null ? null : this.seqCreatedAt(seq, nowMs)
  }

  isDead(id: number): boolean {
    if (id >= this.anchorId) return this.idToSeq(id) === null
    for (const d of this.historyDead) if (id >= d.from && id < d.to) return true
    return false
  }

  /** Forward dead blocks overlapping [from, to), as ids. */
  deadBlocksWithin(from: number, to: number): Array<{ from: number; to: number }> {
    return this.forwardDead
      .within(Math.max(0, from - this.anchorId), Math.max(0, to - this.anchorId))
      .map((b) => ({ from: b.from + this.anchorId, to: b.to + this.anchorId }))
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
    if (this.regulars?.at(id) != null) return "raid"
    const u = unitFor(this.seed, id, SALT.kind)
    if (u < this.raidCut) return "raid"
    if (u < this.pantheonCut) return "pantheon"
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
    if (id >= this.anchorId && id > this.nextId(nowMs) + DEAD_HORIZON) return { ...none, state: "notCreated" }
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

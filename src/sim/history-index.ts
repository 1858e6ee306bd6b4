// Which mode-4 instances (raids and Pantheon) each character played, built lazily from the
// same plans the PGCR endpoint serves, so history and profiles agree with the PGCRs. Ordinary
// players: every id from `historyIds` below the head at start is scanned, and every id created
// since (when the clock jumps further than 250,000 ids at once, only the last 250,000 before
// the head are scanned: the scan stays bounded). Regulars: their lane ids in the last
// `regulars.historyIds` ids below the head (enumerated, not scanned).
import type { SimState } from "./state.ts"

/** The most ids one catch-up scans (~70 minutes of the world at 57 ids/s, about a second of CPU). */
const MAX_SCAN = 250_000

export class HistoryIndex {
  /** key = player * 3 + slot → ascending instance ids. */
  private readonly byCharacter = new Map<number, number[]>()
  private readonly byPlayer = new Map<number, number>()
  private readonly counts = new Map<number, number>()
  private cursor: number

  constructor(private readonly state: SimState) {
    this.cursor = Math.max(1, state.sessionStartId - state.config.world.historyIds)
  }

  /** Indexes every id created since the last call (at most the last `historyIds`). */
  catchUp(nowMs: number): void {
    const next = this.state.world.nextId(nowMs)
    this.cursor = Math.max(this.cursor, next - Math.max(MAX_SCAN, this.state.config.world.historyIds))
    for (let id = this.cursor; id < next; id++) {
      const kind = this.state.world.kindOf(id)
      if (kind === "other") continue
      const facts = this.state.world.facts(id, nowMs)
      if (facts.state !== "exists") continue
      const plan = this.state.planFor(facts)
      const seen = new Set<number>()
      for (const e of plan.entries) {
        if (this.state.players.isRegular(e.player)) continue
        const key = e.player * 3 + e.slot
        let list = this.byCharacter.get(key)
        if (!list) {
          list = []
          this.byCharacter.set(key, list)
        }
        if (list[list.length - 1] !== id) list.push(id)
        this.byPlayer.set(e.player, Math.max(this.byPlayer.get(e.player) ?? 0, id))
        if (!seen.has(e.player)) {
          seen.add(e.player)
          this.counts.set(e.player, (this.counts.get(e.player) ?? 0) + 1)
        }
      }
    }
    this.cursor = Math.max(this.cursor, next)
  }

  /** Published instance ids of a character, newest first. */
  instancesOf(player: number, slot: number, nowMs: number): number[] {
    if (this.state.players.isRegular(player)) return this.laneInstances(player, nowMs, slot)
    this.catchUp(nowMs)
    const list = this.byCharacter.get(player * 3 + slot) ?? []
    const out: number[] = []
    for (let i = list.length - 1; i >= 0; i--) {
      const id = list[i]!
      if (this.isPublished(id, nowMs)) out.push(id)
    }
    return out
  }

  /** Published instance ids of a player over all characters, newest first. */
  instancesOfPlayer(player: number, nowMs: number): number[] {
    if (this.state.players.isRegular(player)) return this.laneInstances(player, nowMs, null)
    const characters = this.state.players.get(player).characters.length
    const all = new Set<number>()
    for (let slot = 0; slot < characters; slot++) for (const id of this.instancesOf(player, slot, nowMs)) all.add(id)
    return [...all].sort((a, b) => b - a)
  }

  /** Activity end of the player's newest indexed instance, if any. */
  lastPlayedMs(player: number, nowMs: number): number | null {
    if (this.state.players.isRegular(player)) {
      const newest = this.laneInstances(player, nowMs, null, 1)[0]
      return newest === undefined ? null : this.state.world.facts(newest, nowMs).endedAt
    }
    this.catchUp(nowMs)
    const id = this.byPlayer.get(player)
    if (id === undefined) return null
    return this.state.world.facts(id, nowMs).endedAt
  }

  /** Non-regular players indexed so far with how many instances each played (for truth look-ups). */
  playerCounts(nowMs: number): ReadonlyMap<number, number> {
    this.catchUp(nowMs)
    return this.counts
  }

  private isPublished(id: number, nowMs: number): boolean {
    const f = this.state.world.facts(id, nowMs)
    return f.state === "exists" && f.publishedAt !== null && f.publishedAt <= nowMs
  }

  private laneInstances(player: number, nowMs: number, slot: number | null, limit = Number.POSITIVE_INFINITY): number[] {
    const next = this.state.world.nextId(nowMs)
    const floor = Math.max(1, next - this.state.config.players.regulars.historyIds)
    const out: number[] = []
    for (const id of this.state.regulars.laneIds(player, floor, next)) {
      if (!this.isPublished(id, nowMs)) continue
      if (slot !== null) {
        const plan = this.state.planFor(this.state.world.facts(id, nowMs))
        if (!plan.entries.some((e) => e.player === player && e.slot === slot)) continue
      }
      out.push(id)
      if (out.length >= limit) break
    }
    return out
  }
}

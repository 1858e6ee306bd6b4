// Which mode-4 instances (raids and Pantheon) each character played, built lazily from the
// same plans the PGCR endpoint serves, so history and profiles agree with the PGCRs.
import type { SimState } from "./state.ts"

export class HistoryIndex {
  /** key = player * 3 + slot → ascending instance ids. */
  private readonly byCharacter = new Map<number, number[]>()
  private readonly byPlayer = new Map<number, number>()
  private cursor: number

  constructor(private readonly state: SimState) {
    this.cursor = Math.max(1, state.world.startId - state.config.world.historyIds)
  }

  /** Indexes every id created since the last call. */
  catchUp(nowMs: number): void {
    const next = this.state.world.nextId(nowMs)
    for (let id = this.cursor; id < next; id++) {
      const kind = this.state.world.kindOf(id)
      if (kind === "other") continue
      const facts = this.state.world.facts(id, nowMs)
      if (facts.state !== "exists") continue
      const plan = this.state.planFor(facts)
      for (const e of plan.entries) {
        const key = e.player * 3 + e.slot
        let list = this.byCharacter.get(key)
        if (!list) {
          list = []
          this.byCharacter.set(key, list)
        }
        if (list[list.length - 1] !== id) list.push(id)
        this.byPlayer.set(e.player, Math.max(this.byPlayer.get(e.player) ?? 0, id))
      }
    }
    this.cursor = Math.max(this.cursor, next)
  }

  /** Published instance ids of a character, newest first. */
  instancesOf(player: number, slot: number, nowMs: number): number[] {
    this.catchUp(nowMs)
    const list = this.byCharacter.get(player * 3 + slot) ?? []
    const out: number[] = []
    for (let i = list.length - 1; i >= 0; i--) {
      const id = list[i]!
      const f = this.state.world.facts(id, nowMs)
      if (f.publishedAt !== null && f.publishedAt <= nowMs) out.push(id)
    }
    return out
  }

  /** Activity end of the player's newest indexed instance, if any. */
  lastPlayedMs(player: number, nowMs: number): number | null {
    this.catchUp(nowMs)
    const id = this.byPlayer.get(player)
    if (id === undefined) return null
    return this.state.world.facts(id, nowMs).endedAt
  }
}

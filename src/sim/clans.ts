// What Bungie answers about clans at a given time: a deleted clan (a seeded share of clans, or
// one deleted at run time) answers 686 GroupNotFound and its former members are clanless; a
// roster lists only members whose account exists by then.
import type { SimConfig } from "./options.ts"
import type { PlayerPool, SimPlayer } from "./players.ts"
import { unitFor } from "./random.ts"

const SALT_DELETED = 3001

export class Clans {
  constructor(
    private readonly pool: PlayerPool,
    private readonly seed: number,
    private readonly config: SimConfig,
  ) {}

  /** Deleted before the sim started (seeded) or at run time (`deletedGroups`). Full clans are never seeded as deleted. */
  isDeleted(groupIndex: number): boolean {
    if (this.config.deletedGroups.includes(this.pool.groupIdOf(groupIndex))) return true
    return groupIndex >= this.pool.fullClans && unitFor(this.seed, groupIndex, SALT_DELETED) < this.config.players.deletedClanShare
  }

  /** The live clan of a player at `nowMs`, or null. */
  clanOf(player: SimPlayer, nowMs: number): number | null {
    const g = player.groupIndex
    if (g === null || player.createdMs > nowMs || this.isDeleted(g)) return null
    return g
  }

  /** Members at `nowMs` in roster order (the founder first); empty for a deleted clan. */
  roster(groupIndex: number, nowMs: number): number[] {
    if (this.isDeleted(groupIndex)) return []
    return this.pool.membersOfGroup(groupIndex).filter((k) => this.pool.get(k).createdMs <= nowMs)
  }

  /** Group index of a group id that exists at all (deleted or not), or null. */
  indexOf(groupId: string): number | null {
    return this.pool.groupIndexOf(groupId)
  }
}

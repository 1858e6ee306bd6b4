// Ground truth for tests and benchmarks: what exists, what is a raid, what is visible when,
// who the players and clans are, what the floodgates withheld, where the race windows lie.
import { clanIdentity } from "./endpoint-groups.ts"
import type { FloodgateEpisodeView } from "./floodgates.ts"
import { parseIdOption } from "./options.ts"
import { formatIso, type PlayerTruth } from "./player-facts.ts"
import type { Frontier, SimState, TruthEntry } from "./state.ts"
import type { SimStats } from "./stats.ts"

export const MAX_TRUTH_RANGE = 200_000

export interface ClanTruth {
  groupId: string
  name: string
  motto: string
  callSign: string
  /** GroupNotFound: seeded as deleted, or deleted by control. */
  deleted: boolean
  /** Current roster (membership ids, roster order); empty when deleted. */
  members: string[]
  /** Members as built, whatever Bungie answers now (for a deleted clan: its former members). */
  formerMembers: string[]
}

export interface PlayerFilter {
  /** At most this many (default 20). */
  limit?: number
  /** Raid/Pantheon instances in its activity history (regulars excluded unless `regular`). */
  minInstances?: number
  maxInstances?: number
  private?: boolean
  unknown?: boolean
  regular?: boolean
  inClan?: boolean
  /** Account age at `now`, in days. */
  maxAgeDays?: number
  minAgeDays?: number
  /** Players whose account does not exist yet (answer 1601 until created). */
  exists?: boolean
}

export interface RaceWindowTruth {
  activityId: number
  name: string
  release: string
  contestEnd: string
  weekOneEnd: string
  worldFirstHashes: number[]
  /** Ids dated inside [release, weekOneEnd), bounded by the world's head. */
  fromId: string
  toId: string
}

export interface SimTruth {
  frontier(): Frontier
  /** Every id in [from, to) (at most 200,000). */
  range(from: bigint | number | string, to: bigint | number | string): TruthEntry[]
  id(id: bigint | number | string): TruthEntry
  stats(): ReturnType<SimStats["snapshot"]>
  /** A player by membership id, or null outside the pool. */
  player(membershipId: bigint | number | string): PlayerTruth | null
  /** Players matching a filter, in pool order (deterministic). */
  findPlayers(filter?: PlayerFilter): PlayerTruth[]
  /** A clan by group id, or null for ids that never existed. */
  clan(groupId: bigint | number | string): ClanTruth | null
  /** Clans by filter: deleted ones, or live ones with at least `minMembers`. */
  findClans(filter?: { deleted?: boolean; minMembers?: number; limit?: number }): ClanTruth[]
  /** Every floodgate episode, with its release waves. */
  floodgates(): FloodgateEpisodeView[]
  /** Race windows (release → week one end) of every raid, with the id range dated inside each. */
  raceWindows(): RaceWindowTruth[]
  /** Forward dead blocks overlapping [from, to). */
  deadBlocks(from: bigint | number | string, to: bigint | number | string): Array<{ from: string; to: string }>
}

const DAY_MS = 86_400_000

/** First id whose creation time is at or after `ms` (binary search over the world's ids). */
export function firstIdAt(state: SimState, ms: number, nowMs: number): number {
  let lo = 1
  let hi = state.world.nextId(nowMs)
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const created = state.world.createdAt(mid, nowMs)
    if (created !== null && created < ms) lo = mid + 1
    else if (created === null && mid >= state.world.anchorId && !state.world.isDead(mid)) hi = mid
    else if (created === null) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function createTruth(state: SimState, stats: SimStats, now: () => number): SimTruth {
  const id = (name: string, raw: bigint | number | string) => Number(parseIdOption(name, raw))
  const clanTruth = (g: number, t: number): ClanTruth => {
    const identity = clanIdentity(state.config.seed, g)
    const ids = (list: number[]) => list.map((k) => state.players.membershipIdOf(k))
    return {
      groupId: state.players.groupIdOf(g),
      name: identity.name,
      motto: identity.motto,
      callSign: identity.callSign,
      deleted: state.clans.isDeleted(g),
      members: ids(state.clans.roster(g, t)),
      formerMembers: ids(state.players.membersOfGroup(g).filter((k) => state.players.get(k).createdMs <= t)),
    }
  }
  return {
    frontier: () => state.frontier(now()),
    range: (fromRaw, toRaw) => {
      const from = id("from", fromRaw)
      const to = id("to", toRaw)
      if (to < from) throw new Error(`sim truth: to (${to}) < from (${from})`)
      if (to - from > MAX_TRUTH_RANGE) throw new Error(`sim truth: range too large (${to - from} > ${MAX_TRUTH_RANGE})`)
      const t = now()
      const out: TruthEntry[] = []
      for (let i = from; i < to; i++) out.push(state.truth(i, t))
      return out
    },
    id: (raw) => state.truth(id("id", raw), now()),
    stats: () => stats.snapshot(),
    player: (raw) => {
      const index = state.players.indexOfMembership(String(parseIdOption("membershipId", raw)))
      return index === null ? null : state.playerFacts.truth(state.players.get(index), now())
    },
    findPlayers: (filter = {}) => {
      const t = now()
      const limit = filter.limit ?? 20
      const counts = state.history.playerCounts(t)
      const out: PlayerTruth[] = []
      const wantsInstances = filter.minInstances !== undefined || filter.maxInstances !== undefined
      for (let index = 0; index < state.players.size && out.length < limit; index++) {
        const p = state.players.get(index)
        if (filter.regular !== undefined ? p.isRegular !== filter.regular : wantsInstances && p.isRegular) continue
        if (filter.private !== undefined && p.isPrivate !== filter.private) continue
        if (filter.unknown !== undefined && p.isUnknown !== filter.unknown) continue
        if (filter.exists !== undefined && p.createdMs <= t !== filter.exists) continue
        if (filter.inClan !== undefined && (state.clans.clanOf(p, t) !== null) !== filter.inClan) continue
        const age = (t - p.createdMs) / DAY_MS
        if (filter.maxAgeDays !== undefined && !(age >= 0 && age <= filter.maxAgeDays)) continue
        if (filter.minAgeDays !== undefined && age < filter.minAgeDays) continue
        if (wantsInstances) {
          // Counts of the scanned window; regulars are counted from their lanes on demand.
          const n = p.isRegular ? state.history.instancesOfPlayer(index, t).length : (counts.get(index) ?? 0)
          if (filter.minInstances !== undefined && n < filter.minInstances) continue
          if (filter.maxInstances !== undefined && n > filter.maxInstances) continue
        }
        const truth = state.playerFacts.truth(p, t)
        if (filter.minInstances !== undefined && truth.raidInstanceIds.length < filter.minInstances) continue
        if (filter.maxInstances !== undefined && truth.raidInstanceIds.length > filter.maxInstances) continue
        out.push(truth)
      }
      return out
    },
    clan: (raw) => {
      const g = state.clans.indexOf(String(parseIdOption("groupId", raw)))
      return g === null ? null : clanTruth(g, now())
    },
    findClans: (filter = {}) => {
      const t = now()
      const limit = filter.limit ?? 20
      const out: ClanTruth[] = []
      for (let g = 0; g < state.config.players.clanCount && out.length < limit; g++) {
        const deleted = state.clans.isDeleted(g)
        if (filter.deleted !== undefined && deleted !== filter.deleted) continue
        if (filter.minMembers !== undefined && state.clans.roster(g, t).length < filter.minMembers) continue
        out.push(clanTruth(g, t))
      }
      return out
    },
    floodgates: () => state.gates.views(),
    raceWindows: () => {
      const t = now()
      return state.calendar.windows().map((w) => ({
        activityId: w.activityId,
        name: w.name,
        release: formatIso(w.releaseMs),
        contestEnd: formatIso(w.contestEndMs),
        weekOneEnd: formatIso(w.weekOneEndMs),
        worldFirstHashes: w.worldFirstHashes,
        fromId: String(firstIdAt(state, w.releaseMs, t)),
        toId: String(firstIdAt(state, w.weekOneEndMs, t)),
      }))
    },
    deadBlocks: (fromRaw, toRaw) =>
      state.world.deadBlocksWithin(id("from", fromRaw), id("to", toRaw)).map((b) => ({ from: String(b.from), to: String(b.to) })),
  }
}

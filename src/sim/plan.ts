// Decides, for one existing id, what activity it is and who played it (cheap: no stats).
// The full PGCR (generate.ts) and the activity-history index both derive from this plan.
import { EDGE_OF_FATE_MS, type FixtureData, type PgcrTemplate } from "./fixtures.ts"
import type { PlayerPool } from "./players.ts"
import type { RaidCalendar } from "./raid-calendar.ts"
import { createRng, hashWords, type Rng } from "./random.ts"
import type { Regulars } from "./regulars.ts"
import type { IdKind } from "./world.ts"

const HOUR_MS = 3_600_000

export interface PlannedEntry {
  player: number
  slot: number
}

export interface InstancePlan {
  id: number
  kind: IdKind
  hash: number
  mode: number
  template: PgcrTemplate
  entries: PlannedEntry[]
  /** Activity end, ms epoch. */
  endedAt: number
  /** Duration multiplier applied to the template's activityDurationSeconds. */
  durationScale: number
  /** Entry count of the early incomplete version (< entries.length), when it has one. */
  incompleteEntries: number
  /** Seed for the stat noise, so rendering is deterministic. */
  statSeed: number
  /** Pantheon runs: whoever stayed to the end completed it. */
  completedRun: boolean
  /** Pool index of the regular whose lane this id is, or null. */
  regular: number | null
  /** A world-first version played inside its raid's race window. */
  race: boolean
}

export function rngFor(seed: number, id: number, salt: number): Rng {
  return createRng(hashWords(seed, id % 4294967296, Math.floor(id / 4294967296), salt))
}

interface TemplatePools {
  modern: PgcrTemplate[]
  legacy: PgcrTemplate[]
}

export class Planner {
  private readonly byKind: Record<IdKind, TemplatePools>
  /** Fresh full clears with the fullest team of each era (regular runs, race clears). */
  private readonly fullClears: TemplatePools

  constructor(
    private readonly fixtures: FixtureData,
    private readonly players: PlayerPool,
    private readonly seed: number,
    private readonly calendar: RaidCalendar,
    private readonly regulars: Regulars,
    /** Share of raid instances in a race window that are the world-first version. */
    private readonly raceShare: () => number,
  ) {
    const split = (all: PgcrTemplate[]): TemplatePools => {
      const modern = all.filter((t) => t.modern)
      const legacy = all.filter((t) => !t.modern)
      return { modern: modern.length > 0 ? modern : all, legacy: legacy.length > 0 ? legacy : all }
    }
    const ofKind = (kind: IdKind) => {
      const all = fixtures.templates.filter((t) => t.kind === kind)
      return all.length > 0 ? all : fixtures.templates.filter((t) => t.kind === "other")
    }
    this.byKind = { raid: split(ofKind("raid")), pantheon: split(ofKind("pantheon")), other: split(ofKind("other")) }
    const fullest = (pool: PgcrTemplate[]) => {
      const clears = pool.filter((t) => t.freshClear)
      if (clears.length === 0) return pool
      const most = Math.max(...clears.map((t) => t.entryCount))
      return clears.filter((t) => t.entryCount === most)
    }
    const raids = this.byKind.raid
    this.fullClears = { modern: fullest(raids.modern), legacy: fullest(raids.legacy) }
  }

  plan(id: number, kind: IdKind, endedAt: number): InstancePlan {
    const rng = rngFor(this.seed, id, 0x51a7)
    const era: keyof TemplatePools = endedAt >= EDGE_OF_FATE_MS ? "modern" : "legacy"
    const regular = kind === "raid" ? this.regulars.at(id) : null
    let template: PgcrTemplate
    let hash: number
    let durationScale: number
    let race = false
    const racing = kind === "raid" ? this.calendar.inRace(endedAt) : null
    const lane = regular !== null ? this.laneRaid(endedAt, racing?.activityId ?? null, id) : null
    if (lane !== null) {
      // A regular's fresh full clear; consecutive lane turns cycle through every current raid.
      template = rng.pick(this.fullClears[era])
      hash = lane
      durationScale = 0.75 + rng.next() * 0.6
    } else if (kind === "raid") {
      // A regular whose only raid is racing plays the race like everyone else.
      if (racing && (regular !== null || rng.chance(this.raceShare()))) {
        race = true
        template = rng.pick(this.fullClears[era])
        hash = rng.pick(racing.window.worldFirstHashes)
        // Race clears take hours on day one (a team starts at release), less later in week one.
        const sinceRelease = endedAt - racing.releaseMs
        const dayOne = endedAt < racing.window.contestEndMs
        const wanted = dayOne ? (2 + rng.next() * 8) * HOUR_MS : (1 + rng.next() * 2) * HOUR_MS
        // Two seconds of slack: the renderer rounds the duration and floors the start to a second.
        durationScale = Math.min(wanted, sinceRelease - 2_000) / 1000 / Math.max(1, template.durationSeconds)
      } else {
        template = rng.pick(this.byKind.raid[era])
        hash = this.pickRaidHash(endedAt, racing?.activityId ?? null, rng)
        durationScale = 0.75 + rng.next() * 0.6
      }
    } else {
      template = rng.pick(this.byKind[kind][era])
      hash = kind === "pantheon" ? this.pickPantheonHash(template, endedAt, rng) : template.hash
      durationScale = 0.75 + rng.next() * 0.6
    }
    const mode = kind === "other" ? (this.fixtures.activityNames.get(template.hash)?.mode ?? 3) : 4
    // The renderer's duration (generate.ts): nobody may have joined before their account existed.
    const startedAt = endedAt - Math.max(30, Math.round(template.durationSeconds * durationScale)) * 1000
    const entries = this.pickPlayers(template, startedAt, regular, rng)
    const n = entries.length
    return {
      id,
      kind,
      hash,
      mode,
      template,
      entries,
      endedAt,
      durationScale,
      incompleteEntries: n > 1 ? 1 + Math.floor(rng.next() * (n - 1)) : n,
      statSeed: Math.floor(rng.next() * 4294967296),
      completedRun: kind === "pantheon" && rng.chance(0.7),
      regular,
      race,
    }
  }

  /**
   * The Standard hash a regular's lane turn clears: the turn-th of the current raids, leaving a
   * racing raid to the race path (so no quick regular clear tops its world-first board); null
   * when the racing raid is the only one.
   */
  private laneRaid(endedAt: number, racing: number | null, id: number): number | null {
    const notRacing = (list: ReturnType<RaidCalendar["playable"]>) => list.filter((r) => r.activityId !== racing)
    let raids = notRacing(this.calendar.current(endedAt))
    if (raids.length === 0) raids = notRacing(this.calendar.playable(endedAt))
    if (raids.length === 0) return null
    return raids[this.regulars.turn(id) % raids.length]!.standardHash
  }

  private pickPantheonHash(template: PgcrTemplate, endedAt: number, rng: Rng): number {
    const hashes = this.calendar.pantheonHashes(endedAt)
    return hashes.length > 0 ? rng.pick(hashes) : template.hash
  }

  /**
   * Only raids that were playable at the time: released (long enough to clear), not yet sunset.
   * Contest versions and a racing raid come only from the race path (day-one durations), so no
   * short run lands on a world-first leaderboard.
   */
  private pickRaidHash(endedAt: number, racing: number | null, rng: Rng): number {
    const playable = this.calendar.playable(endedAt)
    const others = playable.filter((r) => r.activityId !== racing)
    const raid = rng.pick(others.length > 0 ? others : playable)
    const rows = raid.rows.filter((r) => r.version !== "Contest")
    const pool = rows.length > 0 ? rows : raid.rows
    const standard = pool.filter((r) => r.version === "Standard")
    return (standard.length > 0 && rng.chance(0.7) ? rng.pick(standard) : rng.pick(pool)).hash
  }

  /**
   * Keeps the template's entry→player structure (e.g. one player on 3 characters). A regular
   * takes the first player's place; nobody plays before their account exists.
   */
  private pickPlayers(template: PgcrTemplate, startedAt: number, regular: number | null, rng: Rng): PlannedEntry[] {
    const layout = templateLayout(template)
    const used = new Set<number>()
    const chosen = new Map<number, { player: number; slots: number[] }>()
    const fits = (index: number, charCount: number) => {
      const p = this.players.get(index)
      return !used.has(index) && p.characters.length >= charCount && p.createdMs <= startedAt
    }
    for (const [group, charCount] of layout.charactersPerPlayer) {
      let index: number
      if (group === 0 && regular !== null) {
        index = regular
      } else {
        index = this.players.pickIndex(rng.next())
        for (let tries = 0; !fits(index, charCount); tries++) {
          index = tries < 20 ? this.players.pickIndex(rng.next()) : Math.max(this.players.regularCount, (index + 1) % this.players.size)
          if (tries > this.players.size + 20) throw new Error("sim: player pool too small for this template")
        }
      }
      used.add(index)
      const count = this.players.get(index).characters.length
      // A regular plays mostly on their main (slot 0): deep histories page on one character.
      const first = index === regular ? (rng.chance(0.6) ? 0 : rng.int(1, count - 1)) : rng.int(0, count - 1)
      chosen.set(group, { player: index, slots: Array.from({ length: charCount }, (_, i) => (first + i) % count) })
    }
    return layout.entries.map(({ group, charOrdinal }) => {
      const c = chosen.get(group)!
      return { player: c.player, slot: c.slots[charOrdinal]! }
    })
  }
}

interface TemplateLayout {
  entries: Array<{ group: number; charOrdinal: number }>
  charactersPerPlayer: Map<number, number>
}

const layoutCache = new WeakMap<PgcrTemplate, TemplateLayout>()

function templateLayout(template: PgcrTemplate): TemplateLayout {
  const cached = layoutCache.get(template)
  if (cached) return cached
  const body = JSON.parse(template.json) as {
    entries: Array<{ characterId: string; player: { destinyUserInfo: { membershipId: string } } }>
  }
  const groups = new Map<string, { group: number; chars: Map<string, number> }>()
  const entries = body.entries.map((e) => {
    const key = e.player.destinyUserInfo.membershipId
    let g = groups.get(key)
    if (!g) {
      g = { group: groups.size, chars: new Map() }
      groups.set(key, g)
    }
    if (!g.chars.has(e.characterId)) g.chars.set(e.characterId, g.chars.size)
    return { group: g.group, charOrdinal: g.chars.get(e.characterId)! }
  })
  // A pool player has at most 3 characters.
  const charactersPerPlayer = new Map([...groups.values()].map((g) => [g.group, Math.min(3, g.chars.size)] as const))
  for (const e of entries) e.charOrdinal = Math.min(e.charOrdinal, 2)
  const layout = { entries, charactersPerPlayer }
  layoutCache.set(template, layout)
  return layout
}

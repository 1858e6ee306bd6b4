// Decides, for one existing id, what activity it is and who played it (cheap: no stats).
// The full PGCR (generate.ts) and the activity-history index both derive from this plan.
import { EDGE_OF_FATE_MS, type FixtureData, type PgcrTemplate } from "./fixtures.ts"
import type { PlayerPool } from "./players.ts"
import { createRng, hashWords, type Rng } from "./random.ts"
import type { IdKind } from "./world.ts"

const BEYOND_LIGHT_MS = Date.parse("2020-11-10T17:00:00Z")

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
}

export function rngFor(seed: number, id: number, salt: number): Rng {
  return createRng(hashWords(seed, id % 4294967296, Math.floor(id / 4294967296), salt))
}

export class Planner {
  private readonly byKind: Record<IdKind, { modern: PgcrTemplate[]; legacy: PgcrTemplate[] }>

  constructor(
    private readonly fixtures: FixtureData,
    private readonly players: PlayerPool,
    private readonly seed: number,
  ) {
    const split = (kind: IdKind) => {
      const all = fixtures.templates.filter((t) => t.kind === kind)
      const fallback = all.length > 0 ? all : fixtures.templates.filter((t) => t.kind === "other")
      const modern = fallback.filter((t) => t.modern)
      const legacy = fallback.filter((t) => !t.modern)
      return { modern: modern.length > 0 ? modern : fallback, legacy: legacy.length > 0 ? legacy : fallback }
    }
    this.byKind = { raid: split("raid"), pantheon: split("pantheon"), other: split("other") }
  }

  plan(id: number, kind: IdKind, endedAt: number): InstancePlan {
    const rng = rngFor(this.seed, id, 0x51a7)
    const pool = endedAt >= EDGE_OF_FATE_MS ? this.byKind[kind].modern : this.byKind[kind].legacy
    const template = rng.pick(pool)
    const hash = this.pickHash(kind, template, endedAt, rng)
    const mode = kind === "other" ? (this.fixtures.activityNames.get(template.hash)?.mode ?? 3) : 4
    const entries = this.pickPlayers(template, rng)
    const n = entries.length
    return {
      id,
      kind,
      hash,
      mode,
      template,
      entries,
      endedAt,
      durationScale: 0.75 + rng.next() * 0.6,
      incompleteEntries: n > 1 ? 1 + Math.floor(rng.next() * (n - 1)) : n,
      statSeed: Math.floor(rng.next() * 4294967296),
    }
  }

  private pickHash(kind: IdKind, template: PgcrTemplate, endedAt: number, rng: Rng): number {
    if (kind === "other") return template.hash
    if (kind === "pantheon") return this.fixtures.pantheonHashes.length > 0 ? rng.pick(this.fixtures.pantheonHashes) : template.hash
    // Only raids that were playable at the time: released, and not yet sunset (Beyond Light).
    let rows = this.fixtures.raidRows.filter((r) => r.releaseMs <= endedAt && !(r.sunset && endedAt >= BEYOND_LIGHT_MS))
    if (rows.length === 0) rows = this.fixtures.raidRows
    const raids = [...new Set(rows.map((r) => r.raid))]
    const raid = rng.pick(raids)
    const ofRaid = rows.filter((r) => r.raid === raid)
    const standard = ofRaid.filter((r) => r.version === "Standard")
    return (standard.length > 0 && rng.chance(0.7) ? rng.pick(standard) : rng.pick(ofRaid)).hash
  }

  /** Keeps the template's entry→player structure (e.g. one player on 3 characters). */
  private pickPlayers(template: PgcrTemplate, rng: Rng): PlannedEntry[] {
    const layout = templateLayout(template)
    const used = new Set<number>()
    const chosen = new Map<number, { player: number; slots: number[] }>()
    for (const [group, charCount] of layout.charactersPerPlayer) {
      let index = this.players.pickIndex(rng.next())
      for (let tries = 0; used.has(index) || this.players.get(index).characters.length < charCount; tries++) {
        index = tries < 20 ? this.players.pickIndex(rng.next()) : (index + 1) % this.players.size
        if (tries > this.players.size + 20) throw new Error("sim: player pool too small for this template")
      }
      used.add(index)
      const count = this.players.get(index).characters.length
      const first = rng.int(0, count - 1)
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

// The simulator's world state: ids, plans, rendered PGCRs (cached), floodgates and truth.
import type { FixtureData } from "./fixtures.ts"
import { PgcrRenderer, type RenderedPgcr } from "./generate.ts"
import { Lru } from "./lru.ts"
import type { SimConfig } from "./options.ts"
import { type InstancePlan, Planner } from "./plan.ts"
import { PlayerPool } from "./players.ts"
import { type IdFacts, World } from "./world.ts"

export type PgcrLookup =
  | { kind: "notFound" }
  | { kind: "floodgated"; plan: InstancePlan }
  | { kind: "found"; json: string; complete: boolean; plan: InstancePlan }

export interface TruthEntry {
  id: string
  state: "published" | "pending" | "notCreated" | "skipped" | "lost" | "dead"
  kind: "raid" | "pantheon" | "other"
  isRaid: boolean
  hash: number | null
  mode: number | null
  createdAt: number | null
  publishedAt: number | null
  /** Until this time (ms) the endpoint serves an incomplete version. */
  incompleteUntil: number | null
  floodgated: boolean
  entryCount: number | null
}

export interface Frontier {
  now: number
  /** Next id the counter will create; every lower id (outside dead blocks) is created. */
  nextId: string
  newestPublishedId: string | null
  startId: string
  ratePerSecond: number
}

export class SimState {
  readonly world: World
  readonly players: PlayerPool
  readonly planner: Planner
  readonly renderer: PgcrRenderer
  private readonly plans = new Lru<number, InstancePlan>(50_000)
  private readonly rendered = new Lru<string, RenderedPgcr>(2_000)

  constructor(
    public config: SimConfig,
    readonly fixtures: FixtureData,
    readonly startMs: number,
  ) {
    this.world = new World(config.world, config.seed, startMs)
    this.players = new PlayerPool(config.players, config.seed, fixtures.emblemHashes, fixtures.iconPaths)
    this.planner = new Planner(fixtures, this.players, config.seed)
    this.renderer = new PgcrRenderer(fixtures, this.players)
  }

  planFor(facts: IdFacts): InstancePlan {
    let plan = this.plans.get(facts.id)
    if (!plan) {
      plan = this.planner.plan(facts.id, facts.kind, facts.endedAt ?? facts.createdAt ?? this.startMs)
      this.plans.set(facts.id, plan)
    }
    return plan
  }

  renderFor(plan: InstancePlan, complete: boolean): RenderedPgcr {
    const key = `${plan.id}:${complete ? 1 : 0}`
    let r = this.rendered.get(key)
    if (!r) {
      r = this.renderer.render(plan, complete)
      this.rendered.set(key, r)
    }
    return r
  }

  isFloodgated(plan: InstancePlan, nowMs: number): boolean {
    const f = this.config.floodgates
    if (!f.closed || plan.kind !== "raid") return false
    if (f.openAfterMs !== null && nowMs - this.startMs >= f.openAfterMs) return false
    if (f.hashes.length > 0 && !f.hashes.includes(plan.hash)) return false
    return f.fromId === null || BigInt(plan.id) >= f.fromId
  }

  lookupPgcr(id: number, nowMs: number): PgcrLookup {
    const facts = this.world.facts(id, nowMs)
    if (facts.state !== "exists" || facts.publishedAt === null || facts.publishedAt > nowMs) return { kind: "notFound" }
    const plan = this.planFor(facts)
    if (this.isFloodgated(plan, nowMs)) return { kind: "floodgated", plan }
    const complete = facts.incompleteUntil === null || nowMs >= facts.incompleteUntil || plan.incompleteEntries >= plan.entries.length
    return { kind: "found", json: this.renderFor(plan, complete).json, complete, plan }
  }

  truth(id: number, nowMs: number): TruthEntry {
    const f = this.world.facts(id, nowMs)
    const base = {
      id: String(id),
      kind: f.kind,
      isRaid: f.kind === "raid",
      createdAt: f.createdAt,
      publishedAt: f.publishedAt,
      hash: null,
      mode: null,
      incompleteUntil: null,
      floodgated: false,
      entryCount: null,
    }
    if (f.state !== "exists") return { ...base, state: f.state }
    const plan = this.planFor(f)
    const published = f.publishedAt !== null && f.publishedAt <= nowMs
    return {
      ...base,
      state: published ? "published" : "pending",
      hash: plan.hash,
      mode: plan.mode,
      incompleteUntil: plan.incompleteEntries < plan.entries.length ? f.incompleteUntil : null,
      floodgated: this.isFloodgated(plan, nowMs),
      entryCount: plan.entries.length,
    }
  }

  frontier(nowMs: number): Frontier {
    const newest = this.world.newestPublished(nowMs)
    return {
      now: nowMs,
      nextId: String(this.world.nextId(nowMs)),
      newestPublishedId: newest === null ? null : String(newest),
      startId: String(this.world.startId),
      ratePerSecond: this.config.world.ratePerSecond,
    }
  }
}

// The simulator's world state: ids, plans, rendered PGCRs (cached), players, clans,
// floodgates, system availability, and the control entry point that changes them.
import { AccountFacts } from "./accounts.ts"
import { Clans } from "./clans.ts"
import { applyControlPatch, type ControlPatch } from "./controls.ts"
import { isMaintenanceActive } from "./failures.ts"
import type { FixtureData } from "./fixtures.ts"
import { Floodgates, type Withholding } from "./floodgates.ts"
import { PgcrRenderer, type RenderedPgcr } from "./generate.ts"
import { HistoryIndex } from "./history-index.ts"
import { Lru } from "./lru.ts"
import type { SimConfig } from "./options.ts"
import { type InstancePlan, Planner } from "./plan.ts"
import { PlayerFacts } from "./player-facts.ts"
import { PlayerPool } from "./players.ts"
import { RaidCalendar } from "./raid-calendar.ts"
import { Regulars } from "./regulars.ts"
import { firstDisabled, isSystemEnabled } from "./systems.ts"
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
  /** Answers 12 right now. */
  floodgated: boolean
  /** The latest floodgate episode that withheld it: since when, and when it was (or will be) released. */
  withheld: Withholding | null
  entryCount: number | null
}

export interface Frontier {
  now: number
  /** Next id the counter will create; every lower id (outside dead blocks) is created. */
  nextId: string
  newestPublishedId: string | null
  /** The head when this sim started: every lower id already existed then. */
  startId: string
  ratePerSecond: number
  /** The world's anchor: `epochId` was created at `epochMs` (fixed when continuous). */
  epochId: string
  epochMs: number
  startedAt: number
  continuous: boolean
}

export class SimState {
  readonly world: World
  readonly players: PlayerPool
  readonly planner: Planner
  readonly renderer: PgcrRenderer
  readonly regulars: Regulars
  readonly calendar: RaidCalendar
  readonly clans: Clans
  readonly accounts: AccountFacts
  readonly gates: Floodgates
  readonly history: HistoryIndex
  readonly playerFacts: PlayerFacts
  /** The head when the sim started. */
  readonly sessionStartId: number
  // A plan is ~0.6–2.4 KB with its players and costs ~13 µs to make again (deterministic from the
  // seed). 10,000 covers every retry window of a crawler at the head (~3 minutes at ~57 ids/s) and
  // fills in about as long; 50,000 took ~17 minutes to fill and held ~20–40 MB more of a quick
  // start's memory (`atlas --sim` runs the simulator in-process).
  private readonly plans = new Lru<number, InstancePlan>(10_000)
  private readonly rendered = new Lru<string, RenderedPgcr>(200)

  constructor(
    public config: SimConfig,
    readonly fixtures: FixtureData,
    /** When this sim started (maintenance schedules and openAfterMs count from here). */
    readonly startMs: number,
    /** When world.startId is created. */
    readonly anchorMs: number,
  ) {
    this.regulars = new Regulars(config.players.regulars, config.seed, config.players.poolSize)
    this.world = new World(config.world, config.seed, anchorMs, this.regulars)
    this.players = new PlayerPool(config.players, config.seed, fixtures.emblemHashes, fixtures.iconPaths, anchorMs)
    this.calendar = new RaidCalendar(fixtures)
    this.planner = new Planner(fixtures, this.players, config.seed, this.calendar, this.regulars, () => this.config.world.contestShare)
    this.renderer = new PgcrRenderer(fixtures, this.players)
    this.clans = new Clans(this.players, config.seed, config)
    this.accounts = new AccountFacts(config.seed, fixtures.seasons)
    this.sessionStartId = this.world.nextId(startMs)
    this.gates = new Floodgates((ms) => this.world.nextId(ms))
    if (config.floodgates.closed) this.gates.reconcile(config.floodgates, startMs, startMs)
    this.history = new HistoryIndex(this)
    this.playerFacts = new PlayerFacts(this)
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
    return plan.kind === "raid" && this.gates.withheldAt(plan.id, plan.hash, nowMs)
  }

  maintenance(nowMs: number): boolean {
    return isMaintenanceActive(this.config.maintenance, this.startMs, nowMs)
  }

  systemEnabled(name: string, nowMs: number): boolean {
    return isSystemEnabled(this.config.systems, this.maintenance(nowMs), name)
  }

  /** The first of `required` that is disabled at `nowMs`, or null. */
  disabledSystem(required: readonly string[], nowMs: number): string | null {
    return firstDisabled(this.config.systems, this.maintenance(nowMs), required)
  }

  /** Applies a run-time control patch at `nowMs` (config, rate segments, floodgate episodes). */
  applyControl(patch: ControlPatch, nowMs: number): SimConfig {
    const gates = patch.floodgates
    if (gates?.fromId === "head") gates.fromId = String(this.world.nextId(nowMs))
    // Gates that opened by their schedule are open: a later patch must not re-close them by accident.
    if (this.config.floodgates.closed && this.config.floodgates.openAfterMs !== null && this.gates.openedBySchedule(nowMs)) {
      this.config.floodgates.closed = false
      this.config.floodgates.openAfterMs = null
    }
    applyControlPatch(this.config, patch)
    if (patch.world) this.world.retune(nowMs)
    if (gates) this.gates.reconcile(this.config.floodgates, this.startMs, nowMs)
    return this.config
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
      withheld: null,
      entryCount: null,
    }
    if (f.state !== "exists") return { ...base, state: f.state }
    const plan = this.planFor(f)
    const published = f.publishedAt !== null && f.publishedAt <= nowMs
    const withheld = plan.kind === "raid" && f.publishedAt !== null ? this.gates.history(id, plan.hash, f.publishedAt, nowMs) : null
    return {
      ...base,
      state: published ? "published" : "pending",
      hash: plan.hash,
      mode: plan.mode,
      incompleteUntil: plan.incompleteEntries < plan.entries.length ? f.incompleteUntil : null,
      floodgated: published && this.isFloodgated(plan, nowMs),
      withheld,
      entryCount: plan.entries.length,
    }
  }

  frontier(nowMs: number): Frontier {
    const newest = this.world.newestPublished(nowMs)
    return {
      now: nowMs,
      nextId: String(this.world.nextId(nowMs)),
      newestPublishedId: newest === null ? null : String(newest),
      startId: String(this.sessionStartId),
      ratePerSecond: this.config.world.ratePerSecond,
      epochId: String(this.world.anchorId),
      epochMs: this.anchorMs,
      startedAt: this.startMs,
      continuous: this.config.world.continuous,
    }
  }
}

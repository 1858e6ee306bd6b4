// Run-time controls (in-process and via POST /__sim/control). Only knobs that are safe to
// turn on a running world are accepted; the id space's shape (seed, startId, shares, dead
// blocks, player pool) is fixed at start so the truth never rewrites history.
import { type FloodgateOptions, type LatencyOptions, mergeConfig, parseIdOption, type SimConfig, type ThrottleOptions } from "./options.ts"
import type { SimState } from "./state.ts"

export interface ControlPatch {
  maintenance?: boolean | { active?: boolean; schedule?: SimConfig["maintenance"]["schedule"] }
  floodgates?: { closed?: boolean; hashes?: number[]; fromId?: bigint | string | number | null; openAfterMs?: number | null }
  throttle?: Partial<ThrottleOptions>
  failures?: Partial<Omit<SimConfig["failures"], "slow">> & { slow?: Partial<SimConfig["failures"]["slow"]> }
  latency?: LatencyOptions | 0
  world?: Partial<Pick<SimConfig["world"], "ratePerSecond" | "burstChance" | "burstFactor" | "rateNoise">>
  strictUserAgent?: boolean
  requireApiKey?: boolean
  statusByCode?: Record<number, number>
}

const WORLD_KEYS = new Set(["ratePerSecond", "burstChance", "burstFactor", "rateNoise"])
const TOP_KEYS = new Set([
  "maintenance",
  "floodgates",
  "throttle",
  "failures",
  "latency",
  "world",
  "strictUserAgent",
  "requireApiKey",
  "statusByCode",
])

export interface SimControls {
  /** Applies a patch; returns the effective config. Throws on keys that can't change at run time. */
  update(patch: ControlPatch): SimConfig
  setMaintenance(active: boolean): void
  closeFloodgates(options?: { hashes?: number[]; fromId?: bigint | string | number | null }): void
  openFloodgates(): void
  setThrottle(patch: Partial<ThrottleOptions>): void
  setRate(idsPerSecond: number): void
  resetStats(): void
  config(): SimConfig
}

export function normaliseLatency(value: LatencyOptions | 0 | undefined): LatencyOptions | undefined {
  if (value === undefined) return undefined
  if (value === 0) return { kind: "none" }
  return value
}

/** Mutates `config` in place (the world, throttle and injector hold references into it). */
export function applyControlPatch(config: SimConfig, patch: ControlPatch): void {
  for (const key of Object.keys(patch)) {
    if (!TOP_KEYS.has(key)) throw new Error(`sim control: '${key}' cannot change at run time`)
  }
  if (patch.world) {
    for (const key of Object.keys(patch.world)) {
      if (!WORLD_KEYS.has(key)) throw new Error(`sim control: world.${key} cannot change at run time`)
    }
    const rate = patch.world.ratePerSecond
    if (rate !== undefined && !(rate > 0)) throw new Error(`sim control: world.ratePerSecond must be > 0, got ${rate}`)
    Object.assign(config.world, patch.world)
  }
  if (patch.maintenance !== undefined) {
    if (typeof patch.maintenance === "boolean") config.maintenance.active = patch.maintenance
    else Object.assign(config.maintenance, patch.maintenance)
  }
  if (patch.floodgates) {
    const f = patch.floodgates
    const next: Partial<FloodgateOptions> = {}
    if (f.closed !== undefined) next.closed = f.closed
    if (f.hashes !== undefined) next.hashes = f.hashes.map(Number)
    if (f.fromId !== undefined) next.fromId = f.fromId === null ? null : parseIdOption("floodgates.fromId", f.fromId)
    if (f.openAfterMs !== undefined) next.openAfterMs = f.openAfterMs
    Object.assign(config.floodgates, next)
  }
  if (patch.throttle) Object.assign(config.throttle, patch.throttle)
  if (patch.failures) {
    const { slow, ...rates } = patch.failures
    Object.assign(config.failures, rates)
    if (slow) Object.assign(config.failures.slow, slow)
  }
  const latency = normaliseLatency(patch.latency)
  if (latency) config.latency = latency
  if (patch.strictUserAgent !== undefined) config.strictUserAgent = patch.strictUserAgent
  if (patch.requireApiKey !== undefined) config.requireApiKey = patch.requireApiKey
  if (patch.statusByCode) config.statusByCode = mergeConfig(config.statusByCode, patch.statusByCode)
}

export function createControls(state: SimState, onChange: () => void, resetStats: () => void): SimControls {
  const update = (patch: ControlPatch): SimConfig => {
    applyControlPatch(state.config, patch)
    onChange()
    return state.config
  }
  return {
    update,
    setMaintenance: (active) => void update({ maintenance: active }),
    closeFloodgates: (options = {}) =>
      void update({ floodgates: { closed: true, hashes: options.hashes ?? [], fromId: options.fromId ?? null, openAfterMs: null } }),
    openFloodgates: () => void update({ floodgates: { closed: false } }),
    setThrottle: (patch) => void update({ throttle: patch }),
    setRate: (idsPerSecond) => void update({ world: { ratePerSecond: idsPerSecond } }),
    resetStats,
    config: () => state.config,
  }
}

/** Parses a JSON control body (ids may be strings). */
export function parseControlBody(text: string): ControlPatch {
  const parsed = JSON.parse(text) as unknown
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("sim control: body must be a JSON object")
  return parsed as ControlPatch
}

// Run-time controls (in-process and via POST /__sim/control). Only knobs that are safe to
// turn on a running world are accepted; the id space's shape (seed, startId, shares, dead
// blocks, player pool) is fixed at start so the truth never rewrites history.
import {
  type FloodgateRelease,
  type LatencyOptions,
  mergeConfig,
  parseIdOption,
  type SimConfig,
  SYSTEM_NAMES,
  type ThrottleOptions,
} from "./options.ts"
import type { SimState } from "./state.ts"

export interface FloodgatePatch {
  closed?: boolean
  hashes?: number[]
  /** An id, null (every raid id), or "head": only PGCRs created from now on (a window). */
  fromId?: bigint | string | number | null
  openAfterMs?: number | null
  release?: Partial<FloodgateRelease>
}

export interface ControlPatch {
  maintenance?: boolean | { active?: boolean; schedule?: SimConfig["maintenance"]["schedule"] }
  floodgates?: FloodgatePatch
  /** `{ "D2Profiles": false }`: Settings reports it disabled and its endpoints answer 5. */
  systems?: Record<string, boolean>
  /** Group ids deleted from now on (replaces the list; [] restores every run-time deletion). */
  deletedGroups?: string[]
  throttle?: Partial<ThrottleOptions>
  failures?: Partial<Omit<SimConfig["failures"], "slow">> & { slow?: Partial<SimConfig["failures"]["slow"]> }
  latency?: LatencyOptions | 0
  world?: Partial<Pick<SimConfig["world"], "ratePerSecond" | "burstChance" | "burstFactor" | "rateNoise" | "contestShare">>
  strictUserAgent?: boolean
  requireApiKey?: boolean
  statusByCode?: Record<number, number>
}

const WORLD_KEYS = new Set(["ratePerSecond", "burstChance", "burstFactor", "rateNoise", "contestShare"])
const TOP_KEYS = new Set([
  "maintenance",
  "floodgates",
  "systems",
  "deletedGroups",
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
  /** Withholds raid PGCRs (all, some hashes, from an id on, or from the head on) until opened. */
  closeFloodgates(options?: { hashes?: number[]; fromId?: bigint | string | number | null }): void
  /** Releases what is withheld: at once, or oldest first in `waves` spread over `durationMs`. */
  openFloodgates(release?: Partial<FloodgateRelease>): void
  setSystem(name: string, enabled: boolean): void
  deleteGroup(groupId: string): void
  restoreGroup(groupId: string): void
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

function checkRelease(release: Partial<FloodgateRelease>): void {
  if (release.waves !== undefined && !(Number.isInteger(release.waves) && release.waves >= 1)) {
    throw new Error(`sim control: floodgates.release.waves must be an integer >= 1, got ${release.waves}`)
  }
  if (release.durationMs !== undefined && !(release.durationMs >= 0)) {
    throw new Error(`sim control: floodgates.release.durationMs must be >= 0, got ${release.durationMs}`)
  }
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
  }
  if (patch.systems) {
    for (const [name, on] of Object.entries(patch.systems)) {
      if (!(SYSTEM_NAMES as readonly string[]).includes(name)) {
        throw new Error(`sim control: unknown system '${name}' (known: ${SYSTEM_NAMES.join(", ")})`)
      }
      if (typeof on !== "boolean") throw new Error(`sim control: systems.${name} must be true or false`)
    }
  }
  if (patch.deletedGroups !== undefined) {
    if (!Array.isArray(patch.deletedGroups) || !patch.deletedGroups.every((g) => typeof g === "string" && /^\d+$/.test(g))) {
      throw new Error("sim control: deletedGroups must be an array of decimal group id strings")
    }
  }
  if (patch.floodgates?.release) checkRelease(patch.floodgates.release)
  // Validated: apply.
  if (patch.world) Object.assign(config.world, patch.world)
  if (patch.maintenance !== undefined) {
    if (typeof patch.maintenance === "boolean") config.maintenance.active = patch.maintenance
    else Object.assign(config.maintenance, patch.maintenance)
  }
  if (patch.floodgates) {
    const f = patch.floodgates
    if (f.closed !== undefined) config.floodgates.closed = f.closed
    if (f.hashes !== undefined) config.floodgates.hashes = f.hashes.map(Number)
    if (f.fromId !== undefined) config.floodgates.fromId = f.fromId === null ? null : parseIdOption("floodgates.fromId", f.fromId)
    if (f.openAfterMs !== undefined) config.floodgates.openAfterMs = f.openAfterMs
    if (f.release) Object.assign(config.floodgates.release, f.release)
  }
  if (patch.systems) Object.assign(config.systems, patch.systems)
  if (patch.deletedGroups !== undefined) config.deletedGroups = [...patch.deletedGroups]
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

export function createControls(state: SimState, now: () => number, onChange: () => void, resetStats: () => void): SimControls {
  const update = (patch: ControlPatch): SimConfig => {
    const config = state.applyControl(patch, now())
    onChange()
    return config
  }
  return {
    update,
    setMaintenance: (active) => void update({ maintenance: active }),
    closeFloodgates: (options = {}) =>
      void update({ floodgates: { closed: true, hashes: options.hashes ?? [], fromId: options.fromId ?? null, openAfterMs: null } }),
    openFloodgates: (release) => void update({ floodgates: { closed: false, ...(release ? { release } : {}) } }),
    setSystem: (name, enabled) => void update({ systems: { [name]: enabled } }),
    deleteGroup: (groupId) => void update({ deletedGroups: [...new Set([...state.config.deletedGroups, groupId])] }),
    restoreGroup: (groupId) => void update({ deletedGroups: state.config.deletedGroups.filter((g) => g !== groupId) }),
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

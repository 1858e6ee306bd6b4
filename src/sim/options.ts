// Every knob of the simulator with its default. Values marked (guess) have no public source
// for the exact number (see research/bungie.md §11) and are configurable for that reason.

export interface DeadBlock {
  /** First id of the block relative to `world.startId` (negative = inside the history before it). */
  offset: number
  length: number
}

/** Dead blocks that recur along the id axis: per `periodIds` ids, with `chance`, one block. */
export interface RecurringDeadBlocks {
  periodIds: number
  chance: number
  length: [number, number]
}

export interface WorldOptions {
  /**
   * The world's anchor: the id created at `epochMs`. Ids below it are history dated by the real
   * id/date table; ids from it on are created by the rate curve. Without `continuous`, it is
   * also the first id created after the sim starts (the legacy meaning).
   */
  startId: bigint
  /**
   * Continuous world (default, unless `startId` is given without `epochMs`): the anchor sits at a
   * fixed time, so a sim started later with the same seed and options serves the same ids and
   * PGCRs for the same times, and its head is where a never-stopped sim's head would be.
   * `false` anchors the world at the moment the sim starts (a new world on every start).
   */
  continuous: boolean
  /** Mean new ids per second at the frontier (research: 25–100/s, ~50/s in an evening). */
  ratePerSecond: number
  /** Per 10-s block, chance of a burst and its rate multiplier range (bursts above 150/s seen). */
  burstChance: number
  burstFactor: [number, number]
  /** Per-second noise on the rate, ± this fraction. */
  rateNoise: number
  /** Single ids the counter skips for ever. */
  skipRate: number
  /** Per 1000-id block, chance of a run of permanently lost PGCRs (length 1..lostRunMax). */
  lostRunChance: number
  lostRunMax: number
  /** Id ranges that are never created: the counter jumps over them. */
  deadBlocks: DeadBlock[]
  /** Recurring dead blocks ahead of `startId` (null = none; Bungie's are rare). */
  deadBlockEvery: RecurringDeadBlocks | null
  /** Delay from id creation to visibility, uniform in [min, max] ms. */
  publishDelayMs: [number, number]
  /** Per 500-id block, chance that a clump of ids is published minutes late, all at once. */
  batchChance: number
  batchLength: [number, number]
  batchDelayMs: [number, number]
  /** Share of ids whose first published version lacks entries, and for how long after publication. */
  incompleteRate: number
  incompleteMs: [number, number]
  /** How long before id creation the activity ended (ids follow completion order only roughly). */
  endLagMs: [number, number]
  raidShare: number
  pantheonShare: number
  /**
   * Inside a raid's contest / week-one window (release → week_one_end of its definition), this
   * share of raid instances are that raid's world-first version, with day-one durations.
   */
  contestShare: number
  /** How many ids below the head at start feed the activity-history index (history endpoints). */
  historyIds: number
  /**
   * When startId is created (ms epoch). Default: the calendar date of startId in the real
   * id/date table (continuous) or the moment the sim starts (not continuous). Must not lie in
   * the future of the sim's clock.
   */
  epochMs: number | null
}

export interface RegularOptions {
  /** Players (pool indices 0..count-1) who raid on a fixed lane of ids: deep, multi-page histories. */
  count: number
  /** A regular plays one fresh full clear every `every` ids (cycling through every playable raid). */
  every: number
  /** How far below the head at start their activity history reaches (ids). */
  historyIds: number
}

export interface PlayerOptions {
  poolSize: number
  /** Share of accounts whose activity history answers 1665 DestinyPrivacyRestriction. */
  privateShare: number
  /** Share of accounts that appear in PGCRs but answer 1601 DestinyAccountNotFound. */
  unknownShare: number
  clanShare: number
  clanCount: number
  /** Clans 0..fullClans-1 have exactly 100 members (Bungie's maximum): pool indices 100g..100g+99. */
  fullClans: number
  /** Share of the other clans that were deleted: GroupNotFound, and their members are clanless. */
  deletedClanShare: number
  regulars: RegularOptions
}

export interface ThrottleOptions {
  enabled: boolean
  limitPerSecond: number
  windowMs: number
  throttleSeconds: number
  /** Rejected requests still count towards the average (punishes clients that ignore ThrottleSeconds). */
  countRejected: boolean
}

export interface SlowOptions {
  rate: number
  extraMs: [number, number]
}

export interface FailureOptions {
  /** 1672 DestinyThrottledByGameServer with HTTP 503, per request. */
  gameServerThrottleRate: number
  /** 500 with an HTML body. */
  http500Rate: number
  /** 502 Bad Gateway HTML page. */
  http502Rate: number
  /** Cloudflare "Just a moment..." challenge page (HTTP 403). */
  cloudflareChallengeRate: number
  /** 200 with the JSON cut short. */
  truncatedRate: number
  /** 200 with a body that is not JSON at all at the end. */
  malformedRate: number
  /** 200 with `Response: null` and ErrorCode 1. */
  nullResponseRate: number
  slow: SlowOptions
}

export interface MaintenanceOptions {
  active: boolean
  /** Optional recurring window: every `everyMs`, down for `durationMs`, first at `offsetMs`. */
  schedule: { everyMs: number; durationMs: number; offsetMs: number } | null
}

export interface FloodgateRelease {
  /** Withheld ids are released oldest first in this many waves (1 = all at once). */
  waves: number
  /** Time from the opening to the last wave. */
  durationMs: number
}

export interface FloodgateOptions {
  closed: boolean
  /** Raid hashes held back; empty = every raid hash. */
  hashes: number[]
  /** Only ids at or above this are held back; null = all ids. */
  fromId: bigint | null
  /** Opens by itself this long after the sim starts (null = only by control). */
  openAfterMs: number | null
  release: FloodgateRelease
}

export type LatencyOptions =
  | { kind: "none" }
  | { kind: "fixed"; ms: number }
  | { kind: "lognormal"; medianMs: number; sigma: number; maxMs: number }

export interface SimConfig {
  seed: number
  host: string
  port: number
  fixturesDir: string | undefined
  /** Missing User-Agent → Cloudflare HTML 403 (Bungie requires one since May 2025). */
  strictUserAgent: boolean
  requireApiKey: boolean
  world: WorldOptions
  players: PlayerOptions
  throttle: ThrottleOptions
  failures: FailureOptions
  maintenance: MaintenanceOptions
  floodgates: FloodgateOptions
  /** Per-system availability as `/Platform/Settings/` reports it (maintenance turns the Destiny ones off). */
  systems: Record<string, boolean>
  /** Group ids deleted at run time (GroupNotFound from then on). */
  deletedGroups: string[]
  latency: LatencyOptions
  /** HTTP status per PlatformErrorCode; unknown codes answer 500 (Bungie's default). */
  statusByCode: Record<number, number>
}

export const DEFAULT_START_ID = 17_200_000_000n

/** Bungie's system names (research/raidhub.md §2.6) plus the other entries Settings lists. */
export const SYSTEM_NAMES = [
  "Destiny2",
  "D2Profiles",
  "Activities",
  "D2Characters",
  "D2Vendors",
  "D2Items",
  "Groups",
  "Clans",
  "Forums",
  "BungieNext",
] as const

/** Statuses: 1653→404 and 1672→503 are sourced (bungie.md §4); the rest are (guess). */
export const DEFAULT_STATUS_BY_CODE: Record<number, number> = {
  1: 200,
  3: 500,
  5: 503,
  7: 400,
  12: 403,
  18: 400,
  51: 429,
  686: 404,
  1601: 404,
  1620: 404,
  1653: 404,
  1665: 403,
  1672: 503,
  2102: 401,
}

export function createDefaultConfig(): SimConfig {
  return {
    seed: 1,
    host: "127.0.0.1",
    port: 0,
    fixturesDir: undefined,
    strictUserAgent: true,
    requireApiKey: true,
    world: {
      startId: DEFAULT_START_ID,
      continuous: true,
      ratePerSecond: 50,
      burstChance: 0.08,
      burstFactor: [2, 3.5],
      rateNoise: 0.25,
      skipRate: 0.001,
      lostRunChance: 0.01,
      lostRunMax: 40,
      deadBlocks: [{ offset: 30_000, length: 15_680 }],
      deadBlockEvery: null,
      publishDelayMs: [300, 2_500],
      batchChance: 0.02,
      batchLength: [20, 300],
      batchDelayMs: [60_000, 300_000],
      incompleteRate: 0.03,
      incompleteMs: [30_000, 180_000],
      endLagMs: [0, 40_000],
      raidShare: 0.05,
      pantheonShare: 0.004,
      contestShare: 0.6,
      historyIds: 60_000,
      epochMs: null,
    },
    players: {
      poolSize: 50_000,
      privateShare: 0.03,
      unknownShare: 0.005,
      clanShare: 0.7,
      clanCount: 1_000,
      fullClans: 1,
      deletedClanShare: 0.02,
      regulars: { count: 12, every: 5_003, historyIds: 3_000_000 },
    },
    throttle: { enabled: true, limitPerSecond: 25, windowMs: 10_000, throttleSeconds: 10, countRejected: true },
    failures: {
      gameServerThrottleRate: 0.002,
      http500Rate: 0.001,
      http502Rate: 0.001,
      cloudflareChallengeRate: 0.0005,
      truncatedRate: 0.0005,
      malformedRate: 0.0005,
      nullResponseRate: 0.0005,
      slow: { rate: 0.002, extraMs: [3_000, 15_000] },
    },
    maintenance: { active: false, schedule: null },
    floodgates: { closed: false, hashes: [], fromId: null, openAfterMs: null, release: { waves: 1, durationMs: 0 } },
    systems: Object.fromEntries(SYSTEM_NAMES.map((name) => [name, true])),
    deletedGroups: [],
    latency: { kind: "lognormal", medianMs: 150, sigma: 0.7, maxMs: 15_000 },
    statusByCode: { ...DEFAULT_STATUS_BY_CODE },
  }
}

export type DeepPartial<T> = T extends bigint | number | string | boolean | null | unknown[] ? T : { [K in keyof T]?: DeepPartial<T[K]> }

/** Merges a partial patch into a config (arrays and tagged unions are replaced, objects merged). */
export function mergeConfig<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined || patch === null) return base
  if (typeof base !== "object" || base === null || Array.isArray(base)) return patch as T
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === undefined) continue
    const current = out[key]
    // Tagged unions are swapped, not merged, so a new kind never inherits stale fields.
    const replaceWhole = key === "latency" || key === "schedule"
    out[key] =
      !replaceWhole &&
      current &&
      typeof current === "object" &&
      !Array.isArray(current) &&
      value &&
      typeof value === "object" &&
      !Array.isArray(value)
        ? mergeConfig(current, value as DeepPartial<typeof current>)
        : value
  }
  return out as T
}

/** Accepts bigint, integer number or decimal string for an id; rejects anything else loudly. */
export function parseIdOption(name: string, value: unknown): bigint {
  if (typeof value === "bigint") return value
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value)
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value)
  throw new Error(`sim: ${name} must be a non-negative integer id, got ${JSON.stringify(String(value))}`)
}

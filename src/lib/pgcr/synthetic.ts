/**
 * Deterministic synthetic raid instances for store tests and the writer benchmark. Same options,
 * same output, byte for byte: a seeded PRNG drives every choice. Players come from a bounded pool
 * so they repeat across instances (first clears, sherpas and fastest clears get exercised), and
 * completion times are jittered so completion order differs from instance-id order.
 *
 * The activity hashes are real `definitions.activity_version` rows from the seed, so the
 * instances satisfy the foreign key of a seeded database.
 */
import type { ProcessedCharacter, ProcessedInstance, ProcessedPlayer, ProcessedWeapon } from "./types.ts"

export interface SyntheticActivity {
  hash: number
  activityId: number
  versionId: number
}

export interface SyntheticInstance {
  instance: ProcessedInstance
  activityId: number
  versionId: number
  /** A small fake PGCR body (JSON bytes), standing in for Bungie's original response. */
  raw: Uint8Array
}

export interface SyntheticOptions {
  count: number
  seed?: number
  /** Decimal string; instance ids are consecutive from here. */
  firstInstanceId?: string
  /** Number of distinct players to draw from; default max(12, count). */
  playerPool?: number
  /** ISO date of the first instance start. */
  startDate?: string
  activities?: readonly SyntheticActivity[]
}

/** Standard-version hashes of every non-sunset raid, plus one sunset raid and one Pantheon encounter. */
export const SYNTHETIC_ACTIVITIES: readonly SyntheticActivity[] = [
  { hash: 2122313384, activityId: 4, versionId: 1 },
  { hash: 2659723068, activityId: 7, versionId: 1 },
  { hash: 910380154, activityId: 8, versionId: 1 },
  { hash: 3881495763, activityId: 9, versionId: 1 },
  { hash: 1681562271, activityId: 9, versionId: 4 },
  { hash: 1441982566, activityId: 10, versionId: 1 },
  { hash: 1374392663, activityId: 11, versionId: 1 },
  { hash: 2381413764, activityId: 12, versionId: 1 },
  { hash: 4179289725, activityId: 13, versionId: 1 },
  { hash: 1541433876, activityId: 14, versionId: 1 },
  { hash: 1044919065, activityId: 15, versionId: 1 },
  { hash: 3817322389, activityId: 16, versionId: 1 },
  { hash: 548750096, activityId: 5, versionId: 1 },
  { hash: 1516551982, activityId: 102, versionId: 132 },
]

const CLASS_HASHES = [671679327, 2271682572, 3655393761] as const
const MEMBERSHIP_BASE = 4611686018400000000n
const CHARACTER_BASE = 2305843009200000000n
const WEAPON_HASHES = [1363886209, 2351180975, 3089417789, 4103414242, 1286686760, 2399110176] as const

/** Builds `count` synthetic instances; deterministic for the same options. */
export function generateSyntheticInstances(options: SyntheticOptions): SyntheticInstance[] {
  const random = createRandom(options.seed ?? 1)
  const activities = options.activities ?? SYNTHETIC_ACTIVITIES
  const pool = Math.max(1, options.playerPool ?? Math.max(12, options.count))
  const firstId = BigInt(options.firstInstanceId ?? "15000000000")
  let startMs = Date.parse(options.startDate ?? "2025-01-01T00:00:00Z")
  const out: SyntheticInstance[] = []
  for (let i = 0; i < options.count; i++) {
    startMs += Math.floor(random() * 600_000)
    const activity = activities[Math.floor(random() * activities.length)]!
    const instanceId = (firstId + BigInt(i)).toString()
    const instance = buildInstance(random, instanceId, activity.hash, startMs, pool)
    const raw = new TextEncoder().encode(
      JSON.stringify({ activityDetails: { instanceId, directorActivityHash: activity.hash, mode: 4 }, period: instance.dateStarted }),
    )
    out.push({ instance, activityId: activity.activityId, versionId: activity.versionId, raw })
  }
  return out
}

function buildInstance(random: () => number, instanceId: string, hash: number, startMs: number, pool: number): ProcessedInstance {
  // Long, varied durations: a later-starting run often completes before an earlier one.
  const durationSeconds = 600 + Math.floor(random() * 5400)
  const size = random() < 0.6 ? 6 : 1 + Math.floor(random() * 6)
  const completed = random() < 0.85
  const freshRoll = random()
  const fresh = freshRoll < 0.6 ? true : freshRoll < 0.9 ? false : null
  const members = pickDistinct(random, pool, size)
  const players = members.map((index) => buildPlayer(random, index, startMs, durationSeconds, completed))
  const deathless = players.every((p) => p.characters.every((c) => c.deaths === 0))
  const anyFinished = players.some((p) => p.finished)
  return {
    instanceId,
    hash,
    completed: anyFinished,
    flawless: anyFinished && deathless ? fresh : false,
    fresh,
    playerCount: players.length,
    dateStarted: new Date(startMs).toISOString(),
    dateCompleted: new Date(startMs + durationSeconds * 1000).toISOString(),
    durationSeconds,
    membershipType: 3,
    score: 0,
    skullHashes: random() < 0.2 ? [2392637702] : [],
    players,
  }
}

function buildPlayer(random: () => number, index: number, startMs: number, duration: number, completed: boolean): ProcessedPlayer {
  const membershipId = (MEMBERSHIP_BASE + BigInt(index)).toString()
  const hidden = index % 17 === 5 // a stable share of players whose PGCR entry hides the profile
  const characterCount = random() < 0.9 ? 1 : 2
  const characters: ProcessedCharacter[] = []
  for (let c = 0; c < characterCount; c++) characters.push(buildCharacter(random, index, c, duration, completed))
  const startSeconds = Math.min(...characters.map((c) => c.startSeconds))
  const endSeconds = Math.max(...characters.map((c) => c.startSeconds + c.timePlayedSeconds))
  const first = characters[0]!
  const lastSeenMs = startMs + (first.startSeconds + first.timePlayedSeconds) * 1000
  return {
    finished: completed && characters.some((c) => c.completed),
    timePlayedSeconds: endSeconds - startSeconds,
    isFirstClear: false,
    sherpas: 0,
    player: {
      membershipId,
      membershipType: hidden ? null : 3,
      firstSeen: new Date(startMs).toISOString(),
      lastSeen: new Date(lastSeenMs).toISOString(),
      iconPath: hidden ? null : `/common/destiny2_content/icons/emblem-${index % 50}.jpg`,
      displayName: hidden ? null : `Guardian${index}`,
      bungieGlobalDisplayName: hidden ? null : `Guardian${index}`,
      bungieGlobalDisplayNameCode: hidden ? null : String(index % 10000).padStart(4, "0"),
    },
    characters,
  }
}

function buildCharacter(random: () => number, index: number, slot: number, duration: number, completed: boolean): ProcessedCharacter {
  const classIndex = (index + slot) % 3
  const startSeconds = slot === 0 ? Math.floor(random() * 60) : Math.floor(random() * duration * 0.5)
  const timePlayedSeconds = Math.max(1, Math.min(duration - startSeconds, Math.floor(duration * (0.5 + random() * 0.5))))
  const unknownClass = random() < 0.05
  const weapons: ProcessedWeapon[] = pickDistinct(random, WEAPON_HASHES.length, Math.floor(random() * 4)).map((w) => {
    const kills = Math.floor(random() * 300)
    return { weaponHash: WEAPON_HASHES[w]!, kills, precisionKills: Math.floor(kills * random()) }
  })
  const kills = weapons.reduce((sum, w) => sum + w.kills, 0) + Math.floor(random() * 50)
  return {
    characterId: (CHARACTER_BASE + BigInt(index) * 3n + BigInt(classIndex)).toString(),
    classHash: unknownClass ? null : CLASS_HASHES[classIndex]!,
    emblemHash: unknownClass ? null : 1000000 + (index % 100),
    completed: completed && random() < 0.92,
    score: 0,
    kills,
    deaths: random() < 0.5 ? 0 : Math.floor(random() * 10),
    assists: Math.floor(random() * 100),
    precisionKills: weapons.reduce((sum, w) => sum + w.precisionKills, 0),
    superKills: Math.floor(random() * 20),
    grenadeKills: Math.floor(random() * 30),
    meleeKills: Math.floor(random() * 15),
    startSeconds,
    timePlayedSeconds,
    weapons,
  }
}

function pickDistinct(random: () => number, range: number, count: number): number[] {
  const picked = new Set<number>()
  const wanted = Math.min(range, count)
  while (picked.size < wanted) picked.add(Math.floor(random() * range))
  return [...picked]
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

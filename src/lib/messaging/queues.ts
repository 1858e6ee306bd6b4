/**
 * The one table of work queues: names (the system's names, which the public API publishes to and
 * reads), wire format, retry schedule, concurrency bounds and the Bungie systems each needs.
 * Producers (outbox relay, workers, tools), consumers (hermes), docs/hermes.md and the dashboards
 * all read it; nothing else spells a queue name.
 *
 * Retry schedule: retry n (1-based) waits schedule[min(n, len) - 1]; the schedule's length is the
 * queue's maximum number of retries, after which a message goes to `<queue>.dead`. Each distinct
 * delay is one TTL queue (topology.ts).
 */

export const QUEUE_NAMES = [
  "pgcr_exists",
  "pgcr_blocked",
  "pgcr_clickhouse",
  "pgcr_cheat_check",
  "player_crawl",
  "character_fill",
  "activity_history",
  "clan_crawl",
  "instance_participant_refresh",
  "subscription_match",
  "subscription_delivery",
] as const

export type QueueName = (typeof QUEUE_NAMES)[number]

/**
 * What a message body holds:
 *   id:   one 64-bit id, as text/plain decimal, a JSON string or number, or a JSON object with `field`
 *   ids:  a JSON object whose `fields` are 64-bit ids (strings or integer numbers)
 *   json: a JSON object the stage defines (subscription stages)
 */
export type MessageFormat =
  | { kind: "id"; field: "instanceId" | "membershipId" | "groupId" }
  | { kind: "ids"; fields: readonly string[] }
  | { kind: "json" }

export interface QueueSpec {
  name: QueueName
  description: string
  format: MessageFormat
  /** Who publishes to it (docs). */
  producers: string
  /** Delay before retry n is retrySchedule[n - 1] (ms); its length is the maximum number of retries. */
  retrySchedule: readonly number[]
  /** Consumers (workers) the autoscaler keeps between; min >= 1. */
  workers: { min: number; max: number; initial: number }
  /** Messages one worker processes at once, and its prefetch (>= concurrency). */
  perWorker: { concurrency: number; prefetch: number }
  /** Bungie systems (Settings `systems.<name>.enabled`) the worker needs; paused while one is off. */
  bungieSystems: readonly string[]
  /** Longest a message may be held in processing before it is retried (< the broker's consumer timeout). */
  handlerTimeoutMs: number
}

const S = 1_000
const M = 60_000

/** The standard schedule: 5 s, 30 s, 2 min, 10 min, 30 min. */
const STANDARD = [5 * S, 30 * S, 2 * M, 10 * M, 30 * M] as const
/** Player-side work (research §5.1: base delay 5 min): 1 min, 5 min, 15 min, 30 min, 30 min. */
const PLAYER = [1 * M, 5 * M, 15 * M, 30 * M, 30 * M] as const
const repeat = (ms: number, n: number): number[] => Array.from({ length: n }, () => ms)

const ONE_WORKER = { concurrency: 1, prefetch: 2 } as const

export const QUEUES: Readonly<Record<QueueName, QueueSpec>> = {
  pgcr_exists: {
    name: "pgcr_exists",
    description: "An instance id to make sure of: skip if stored, else fetch, process and store like atlas.",
    format: { kind: "id", field: "instanceId" },
    producers: "activity_history, tools",
    retrySchedule: [...STANDARD, 30 * M, 30 * M, 30 * M],
    workers: { min: 1, max: 20, initial: 2 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Destiny2"],
    handlerTimeoutMs: 5 * M,
  },
  pgcr_blocked: {
    name: "pgcr_blocked",
    description: "A withheld (code 12) instance id: retried patiently, drained fast once the floodgates open.",
    format: { kind: "id", field: "instanceId" },
    producers: "atlas (outbox), pgcr_exists, hades",
    retrySchedule: STANDARD,
    workers: { min: 1, max: 50, initial: 4 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Destiny2"],
    handlerTimeoutMs: 5 * M,
  },
  pgcr_clickhouse: {
    name: "pgcr_clickhouse",
    description: "An instance id to (re)write into ClickHouse from Postgres; batched 8,192 rows or 1 s.",
    format: { kind: "id", field: "instanceId" },
    producers: "outbox relay (topic clickhouse.instance) when a broker is configured",
    retrySchedule: [...STANDARD, 30 * M, 30 * M, 30 * M, 30 * M, 30 * M],
    // One writer: a batch holds up to 8,192 messages unacked until its insert commits.
    workers: { min: 1, max: 1, initial: 1 },
    perWorker: { concurrency: 8_192, prefetch: 8_192 },
    bungieSystems: [],
    handlerTimeoutMs: 5 * M,
  },
  pgcr_cheat_check: {
    name: "pgcr_cheat_check",
    description: "An instance id to run the cheat check on (every new instance, and nemesis rechecks).",
    format: { kind: "id", field: "instanceId" },
    producers: "store outbox (every new instance), nemesis",
    retrySchedule: STANDARD,
    workers: { min: 1, max: 4, initial: 1 },
    perWorker: { concurrency: 4, prefetch: 8 },
    bungieSystems: [],
    handlerTimeoutMs: 2 * M,
  },
  player_crawl: {
    name: "player_crawl",
    description: "A membership id whose profile to crawl.",
    format: { kind: "id", field: "membershipId" },
    producers: "store outbox, public API (text/plain), clan_crawl, hera",
    retrySchedule: PLAYER,
    workers: { min: 2, max: 50, initial: 4 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Destiny2", "D2Profiles"],
    handlerTimeoutMs: 5 * M,
  },
  character_fill: {
    name: "character_fill",
    description: "A character of an instance whose class or emblem is missing.",
    format: { kind: "ids", fields: ["membershipId", "characterId", "instanceId"] },
    producers: "store outbox, public API (JSON, string ids)",
    retrySchedule: [...PLAYER.slice(0, 4)],
    workers: { min: 1, max: 15, initial: 2 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Destiny2", "D2Characters"],
    handlerTimeoutMs: 5 * M,
  },
  activity_history: {
    name: "activity_history",
    description: "A membership id whose raid history to page; unknown instance ids go to pgcr_exists.",
    format: { kind: "id", field: "membershipId" },
    producers: "pan (weekly scan), tools",
    retrySchedule: [...PLAYER.slice(0, 3)],
    workers: { min: 1, max: 20, initial: 2 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Destiny2", "Activities"],
    handlerTimeoutMs: 10 * M,
  },
  clan_crawl: {
    name: "clan_crawl",
    description: "A group id whose clan and roster to crawl.",
    format: { kind: "id", field: "groupId" },
    producers: "public API (text/plain), player_crawl, hera",
    retrySchedule: PLAYER,
    workers: { min: 1, max: 5, initial: 1 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Groups", "Clans"],
    handlerTimeoutMs: 10 * M,
  },
  instance_participant_refresh: {
    name: "instance_participant_refresh",
    description: "A new instance event: resolve each player's clan before rule matching.",
    format: { kind: "json" },
    producers: "store outbox, replay-subscription-instance",
    retrySchedule: [...repeat(2 * M, 3), ...repeat(10 * M, 4), ...repeat(30 * M, 3)],
    workers: { min: 1, max: 32, initial: 4 },
    perWorker: ONE_WORKER,
    bungieSystems: ["Groups"],
    handlerTimeoutMs: 5 * M,
  },
  subscription_match: {
    name: "subscription_match",
    description: "An instance event with clans resolved: apply the rules, enqueue one delivery per destination (all or none).",
    format: { kind: "json" },
    producers: "instance_participant_refresh",
    retrySchedule: [...repeat(2 * M, 3), ...repeat(10 * M, 4), ...repeat(30 * M, 3)],
    workers: { min: 1, max: 10, initial: 1 },
    perWorker: ONE_WORKER,
    bungieSystems: [],
    handlerTimeoutMs: 2 * M,
  },
  subscription_delivery: {
    name: "subscription_delivery",
    description: "One rendered delivery to a Discord webhook or HTTP callback.",
    format: { kind: "json" },
    producers: "subscription_match (through the outbox, with its delivery rows)",
    // research §5.1: 10 x 5 s, then 60 s, then 2 x 30 min (17 retries).
    retrySchedule: [...repeat(5 * S, 10), ...repeat(60 * S, 5), ...repeat(30 * M, 2)],
    workers: { min: 1, max: 20, initial: 2 },
    perWorker: ONE_WORKER,
    bungieSystems: [],
    handlerTimeoutMs: 2 * M,
  },
}

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name)
}

/** The spec of a queue; throws on a name the table does not know (a caller bug). */
export function queueSpec(name: string): QueueSpec {
  if (!isQueueName(name)) throw new Error(`unknown queue ${JSON.stringify(name)} (known: ${QUEUE_NAMES.join(", ")})`)
  return QUEUES[name]
}

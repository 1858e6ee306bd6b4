/**
 * The one table of targets the bench prints against. A scenario names a row and passes its
 * measured value; the bound, its direction and where it comes from live only here, so raising a
 * target (as the performance issue did for the writer, memory, limiter and frontier rows) is a
 * one-line change that every scenario's output follows.
 */
import { describeTarget } from "./scenario.ts"

export interface Target {
  /** What is measured, as the bench prints it (unit in parentheses). */
  label: string
  /** The measured value must be at most (<=) or at least (>=) the bound. */
  op: "<=" | ">="
  bound: number
  /** Where the number comes from: DESIGN.md, or the issue that set it. */
  source: string
}

export const TARGETS = {
  backfillRatio: { label: "backfill PGCR/s / ceiling PGCR/s", op: ">=", bound: 0.8, source: "DESIGN" },
  atlasCpuRatio: {
    label: "Atlas CPU per PGCR / fetch+parse CPU per PGCR",
    op: "<=",
    bound: 1.5,
    source: "performance issue",
  },
  writerRatio: { label: "pg-writer rows/s / raw COPY rows/s", op: ">=", bound: 0.8, source: "performance issue" },
  limiterAccepted: { label: "limiter accepted rate / allowed", op: ">=", bound: 0.985, source: "performance issue" },
  limiterThrottled: { label: "limiter throttled share", op: "<=", bound: 0.001, source: "performance issue" },
  frontierP50: { label: "frontier lag p50 (s)", op: "<=", bound: 1.0, source: "performance issue" },
  frontierP99: { label: "frontier lag p99 from first publication (s)", op: "<=", bound: 20, source: "DESIGN" },
  frontierCompleteP99: {
    label: "frontier lag p99 from the complete version (s)",
    op: "<=",
    bound: 8,
    source: "performance issue",
  },
  memoryPeakMb: {
    label: "Atlas peak RSS at full speed, ClickHouse aside (MB)",
    op: "<=",
    bound: 150,
    source: "performance issue",
  },
  soakGrowthPercent: { label: "RSS growth after the first 5 minutes (%)", op: "<=", bound: 5, source: "atlas faults issue" },
  zeusAddedP50Ms: { label: "zeus added latency p50 (ms)", op: "<=", bound: 1, source: "zeus issue" },
  zeusAddedP99Ms: { label: "zeus added latency p99 (ms)", op: "<=", bound: 5, source: "zeus issue" },
  zeusThroughputRatio: { label: "zeus throughput via / direct", op: ">=", bound: 0.7, source: "zeus issue" },
  zeusAccepted: { label: "zeus accepted / allowed", op: ">=", bound: 0.95, source: "zeus issue" },
  zeusThrottledToCallers: {
    label: "zeus throttled answers reaching callers",
    op: "<=",
    bound: 0.005,
    source: "zeus issue",
  },
  zeusWorstShare: { label: "zeus worst caller share vs fair", op: "<=", bound: 0.2, source: "zeus issue" },
  cheatPurePerSecond: { label: "pure check instances/s (one core)", op: ">=", bound: 2000, source: "cheat issue" },
  cheatRecheckRatio: { label: "recheck through the queue ÷ pure check", op: ">=", bound: 0.5, source: "cheat issue" },
  playerCrawlAccepted: { label: "player_crawl accepted request rate / allowed", op: ">=", bound: 0.9, source: "player-workers issue" },
  playerCrawlThrottled: { label: "player_crawl throttled share", op: "<=", bound: 0.005, source: "player-workers issue" },
  playerCrawlRequestsKnown: { label: "requests per player, type known", op: "<=", bound: 3, source: "player-workers issue" },
  playerCrawlRequestsResolved: { label: "requests per player, type resolved", op: "<=", bound: 4, source: "player-workers issue" },
  fleetEfficiency4: {
    label: "fleet ids/s with 4 processes ÷ (4 × ids/s with 1)",
    op: ">=",
    bound: 0.9,
    source: "fleet issue",
  },
  hermesOverhead: { label: "hermes runtime ÷ raw consume", op: ">=", bound: 0.8, source: "hermes issue" },
  followPublishedInGaps: { label: "published ids inside gap ranges", op: "<=", bound: 0, source: "restart issue" },
  followRaidsAccounted: {
    label: "published raids below the low-water mark stored or ledgered ÷ all",
    op: ">=",
    bound: 1,
    source: "restart issue",
  },
} as const satisfies Record<string, Target>

export type TargetId = keyof typeof TARGETS

export function meetsTarget(id: TargetId, value: number): boolean {
  const t: Target = TARGETS[id]
  if (!Number.isFinite(value)) return false
  return t.op === "<=" ? value <= t.bound : value >= t.bound
}

/** The printed line for a target row; `detail` qualifies the label (e.g. the hermes shape). */
export function checkTarget(id: TargetId, value: number, detail?: string): string {
  const t: Target = TARGETS[id]
  const label = detail ? `${t.label} (${detail})` : t.label
  return describeTarget(label, value, `${t.op} ${t.bound}, ${t.source}`, meetsTarget(id, value))
}

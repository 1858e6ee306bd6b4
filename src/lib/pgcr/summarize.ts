/**
 * One-line summaries for logs and tools.
 */
import type { ProcessResult } from "./result.ts"
import type { ProcessedInstance } from "./types.ts"

export interface InstanceSummary {
  instanceId: string
  hash: number
  completed: boolean
  fresh: boolean | null
  flawless: boolean | null
  playerCount: number
  durationSeconds: number
  dateStarted: string
  dateCompleted: string
  finishers: number
}

export function summarizeInstance(instance: ProcessedInstance): InstanceSummary {
  return {
    instanceId: instance.instanceId,
    hash: instance.hash,
    completed: instance.completed,
    fresh: instance.fresh,
    flawless: instance.flawless,
    playerCount: instance.playerCount,
    durationSeconds: instance.durationSeconds,
    dateStarted: instance.dateStarted,
    dateCompleted: instance.dateCompleted,
    finishers: instance.players.filter((p) => p.finished).length,
  }
}

/** A compact, JSON-safe description of any result (raid results are summarized, not dumped). */
export function summarizeResult(result: ProcessResult): Record<string, unknown> {
  switch (result.kind) {
    case "raid":
      return {
        kind: "raid",
        activityId: result.activityId,
        versionId: result.versionId,
        isPantheon: result.isPantheon,
        ...summarizeInstance(result.instance),
      }
    case "nonRaid":
    case "badFormat":
      return { ...result }
  }
}

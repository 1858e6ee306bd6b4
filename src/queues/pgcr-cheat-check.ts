/**
 * pgcr_cheat_check: every new instance (the store's outbox) and nemesis rechecks arrive here as
 * instance ids. The worker re-reads the stored instance, runs the check (a pure function) and
 * writes the flags; the three steps are injected, because the check and its loader belong to the
 * cheat-detection library (src/lib/cheat) and are wired into hermes where it is assembled.
 *
 * The writer must be idempotent per (instance, check version): a redelivered message writes the
 * same rows again. An instance that is not stored cannot be checked: parked in .dead with the
 * reason, visible to operators, never dropped.
 */
import type { AnySql } from "../lib/database/sql-types.ts"
import { type Outcome, ok, type QueueWorker, reject } from "../lib/messaging/queue-worker.ts"

export interface CheatCheckDeps<Input, Verdict> {
  sql: AnySql
  /** The check's input for one stored instance; null when the instance is not stored. */
  load(sql: AnySql, instanceId: bigint): Promise<Input | null>
  /** The check itself: pure, no I/O. */
  check(input: Input): Verdict
  /** Writes the verdict's flags (idempotent per instance and check version). */
  write(sql: AnySql, instanceId: bigint, verdict: Verdict): Promise<void>
}

export function createPgcrCheatCheckWorker<Input, Verdict>(deps: CheatCheckDeps<Input, Verdict>): QueueWorker<bigint> {
  return {
    queue: "pgcr_cheat_check",
    async handle(delivery): Promise<Outcome> {
      const id = delivery.value
      const input = await deps.load(deps.sql, id)
      if (input === null) return reject(`instance ${id} is not stored`)
      await deps.write(deps.sql, id, deps.check(input))
      return ok
    },
  }
}

/** Input and output of the batched instance store (see instance-store.ts). */
import type { ProcessedInstance } from "../pgcr/types.ts"

export interface StoreItem {
  instance: ProcessedInstance
  /** From the definitions; the store re-derives both from definitions.activity_version by hash. */
  activityId: number
  versionId: number
  /**
   * Bungie's original PGCR bytes. Plain bytes are zstd-compressed by the store; bytes that already
   * are a zstd frame (a fetcher may compress off the writer thread) are stored unchanged.
   */
  raw: Uint8Array
}

export interface StoreReport {
  /** Items handed in. */
  received: number
  /** Instance ids stored by this call (decimal strings, ascending). */
  storedIds: string[]
  /** Ids already stored before this call, or repeated within the batch (stored once). */
  duplicateIds: string[]
  /** Ids whose hash is not in definitions.activity_version: nothing stored for them. */
  unknownHashIds: string[]
  /** Already-stored instances whose first-clear / sherpa values changed (ClickHouse rows re-emitted). */
  changedInstanceIds: string[]
  outbox: OutboxCounts
  durationMs: number
  /** Where durationMs went inside the transaction, per step (ms); the lock wait is outside it. */
  stepsMs: StoreStepsMs
}

/**
 * The store's steps, in order. `definitions` looks up activity ids; `staging` builds the rows and
 * loads the session tables; `instances`, `players` and `participants` write the rows a plain COPY
 * of the batch would also write; the rest is derived work: row locks, first clears and the
 * sherpas they move, player_stats, sum of best, sherpa deltas and the outbox.
 */
export const STORE_STEPS = [
  "definitions",
  "staging",
  "locks",
  "instances",
  "players",
  "firstClears",
  "participants",
  "playerStats",
  "sumOfBest",
  "sherpaDeltas",
  "outbox",
] as const
export type StoreStep = (typeof STORE_STEPS)[number]
export type StoreStepsMs = Record<StoreStep, number>

export function emptyStoreSteps(): StoreStepsMs {
  return Object.fromEntries(STORE_STEPS.map((step) => [step, 0])) as StoreStepsMs
}

export interface OutboxCounts {
  clickhouse: number
  playerCrawl: number
  characterFill: number
  cheatCheck: number
}

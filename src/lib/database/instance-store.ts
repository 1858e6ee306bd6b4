/**
 * The batched Postgres instance store (run by the Atlas pg-writer and by tools).
 *
 * One transaction per batch, a fixed number of round trips whatever the batch size: load the
 * batch into session temp tables (one tab-separated text parameter per table, the raw PGCRs as
 * one bytea; see instance-store-staging.ts), then set-based INSERT ... SELECT ... ON CONFLICT into
 * raw.pgcr, core.instance, core.player, core.instance_player, extended.instance_character(_weapon),
 * core.player_stats, the ordering-dependent first clears and sherpas (first-clears.ts), sum of
 * best, and the outbox rows for ClickHouse and the queues.
 *
 * Idempotence: an instance id already stored (or repeated within the batch) contributes nothing
 * but is reported as a duplicate; every aggregate is derived only from the instances this
 * transaction inserted. Concurrency: see store-lock.ts.
 */

import {
  applySherpaDeltas,
  clearMovedFirstClears,
  findFirstClearMoves,
  LOST_FIRST_CLEAR_INSTANCES,
  recomputeSherpas,
} from "./first-clears.ts"
import { compareDecimal, insertInstances, insertParticipants, upsertPlayers } from "./instance-store-core.ts"
import { writeInstanceOutbox } from "./instance-store-outbox.ts"
import { buildStagingRows, dedupeItems } from "./instance-store-rows.ts"
import { declareStaging, loadStaging } from "./instance-store-staging.ts"
import { BATCH_FRESH_FINISHERS, updateSumOfBest, upsertPlayerStats } from "./instance-store-stats.ts"
import { emptyStoreSteps, type StoreItem, type StoreReport, type StoreStep } from "./instance-store-types.ts"
import type { AnySql, AnyTx } from "./sql-types.ts"
import { lockBatchPlayers, lockLostFirstClearPlayers, withInstanceStoreLock } from "./store-lock.ts"

export {
  emptyStoreSteps,
  STORE_STEPS,
  type StoreItem,
  type StoreReport,
  type StoreStep,
  type StoreStepsMs,
} from "./instance-store-types.ts"

/** Stores a batch in one transaction; see the module comment. */
export async function storeInstances(sql: AnySql, items: readonly StoreItem[]): Promise<StoreReport> {
  const started = performance.now()
  if (items.length === 0) return emptyReport(0, started)
  const report = await withInstanceStoreLock(sql, (tx) => storeInTransaction(tx, items))
  report.durationMs = performance.now() - started
  return report
}

/**
 * The body of storeInstances for a caller that holds a transaction and the store lock (shared
 * or exclusive: run it through withInstanceStoreLock, which retries a StoreLockBusy alone).
 */
export async function storeInTransaction(tx: AnyTx, items: readonly StoreItem[]): Promise<StoreReport> {
  const started = performance.now()
  const stepsMs = emptyStoreSteps()
  const timed = async <T>(step: StoreStep, run: () => Promise<T>): Promise<T> => {
    const stepStarted = performance.now()
    try {
      return await run()
    } finally {
      stepsMs[step] += performance.now() - stepStarted
    }
  }
  const { unique, repeated } = dedupeItems(items)
  const activityByHash = await timed("definitions", () =>
    loadActivityByHash(
      tx,
      unique.map((i) => i.instance.hash),
    ),
  )
  const known = unique.filter((i) => activityByHash.has(i.instance.hash))
  const unknownHashIds = unique.filter((i) => !activityByHash.has(i.instance.hash)).map((i) => i.instance.instanceId)

  await timed("staging", async () => {
    await declareStaging(tx)
    await loadStaging(tx, buildStagingRows(known, activityByHash))
  })
  await timed("locks", () => lockBatchPlayers(tx))
  const storedIds = await timed("instances", () => insertInstances(tx))
  const playerCrawl = await timed("players", () => upsertPlayers(tx))
  await timed("firstClears", () => findFirstClearMoves(tx))
  await timed("locks", () => lockLostFirstClearPlayers(tx))
  const characterFill = await timed("participants", () => insertParticipants(tx))
  await timed("firstClears", async () => {
    await clearMovedFirstClears(tx)
    await recomputeSherpas(tx, LOST_FIRST_CLEAR_INSTANCES)
  })
  // After every sherpa delta is recorded: the batch's player_stats rows take theirs in the upsert.
  await timed("playerStats", () => upsertPlayerStats(tx))
  await timed("sumOfBest", () => updateSumOfBest(tx, BATCH_FRESH_FINISHERS))
  await timed("sherpaDeltas", () => applySherpaDeltas(tx, false, true))
  const outbox = await timed("outbox", () => writeInstanceOutbox(tx))

  const stored = new Set(storedIds)
  const duplicateIds = [...repeated, ...known.map((i) => i.instance.instanceId).filter((id) => !stored.has(id))]
  return {
    received: items.length,
    storedIds,
    duplicateIds: [...new Set(duplicateIds)].sort(compareDecimal),
    unknownHashIds: unknownHashIds.sort(compareDecimal),
    changedInstanceIds: outbox.changedIds,
    outbox: { clickhouse: outbox.clickhouse, playerCrawl, characterFill, cheatCheck: outbox.cheatCheck },
    durationMs: performance.now() - started,
    stepsMs,
  }
}

async function loadActivityByHash(tx: AnyTx, hashes: number[]): Promise<Map<number, number>> {
  const distinct = [...new Set(hashes)].map(String)
  if (distinct.length === 0) return new Map()
  const rows = await tx.unsafe<{ hash: string; activity_id: number }[]>(
    "select hash::text as hash, activity_id from definitions.activity_version where hash = any($1::bigint[])",
    [distinct],
  )
  return new Map(rows.map((r) => [Number(r.hash), r.activity_id]))
}

function emptyReport(received: number, started: number): StoreReport {
  return {
    received,
    storedIds: [],
    duplicateIds: [],
    unknownHashIds: [],
    changedInstanceIds: [],
    outbox: { clickhouse: 0, playerCrawl: 0, characterFill: 0, cheatCheck: 0 },
    durationMs: performance.now() - started,
    stepsMs: emptyStoreSteps(),
  }
}

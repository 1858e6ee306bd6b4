/**
 * What a fetcher does with one answer for one id: a raid goes to the pg-writer (acked by it after
 * COMMIT), a non-raid is resolved here, an id Bungie withholds goes to the missed ledger, and
 * everything else is tried again per the retry policy (or ledgered when the policy gives up).
 */
import type { RawPgcr } from "../../../lib/bungie/pgcr-body.ts"
import type { BungieResult } from "../../../lib/bungie/result.ts"
import { encodeRawPgcr } from "../../../lib/database/raw-pgcr-codec.ts"
import type { Definitions } from "../../../lib/definitions.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import { processPgcr } from "../../../lib/pgcr/process.ts"
import { observeCrawlSummaryLag } from "../shared/crawl-summary.ts"
import type { IdSpace } from "../shared/id-space.ts"
import type { MissedReason, WriterItem } from "../shared/messages.ts"
import type { AtlasWorkerMetrics } from "../shared/metrics.ts"
import { decideRetry, type RetryDecision, type RetryFailure, type RetryPolicyOptions } from "../shared/retry-policy.ts"
import type { FetchStats } from "./fetch-stats.ts"
import { countAttempts, type FetchTask } from "./fetch-task.ts"

export type ResultMeta = { httpStatus: number | null; errorCode: number | null }

export interface ResultContext {
  space: IdSpace
  defs: Definitions
  policy: RetryPolicyOptions
  stats: FetchStats
  log: Logger
  metrics?: AtlasWorkerMetrics
  /** Hands an item to the pg-writer (counted in the shared writer queue). */
  toWriter(item: WriterItem): void
  /** Queues the id for another attempt per `decision` (the fetch loop owns the queues). */
  retry(task: FetchTask, decision: Extract<RetryDecision, { action: "retry" }>): void
  /** A key or request problem no retry fixes: stop this fetcher; the id stays unresolved. */
  fatal(reason: string): void
}

export function handleResult(ctx: ResultContext, task: FetchTask, result: BungieResult<RawPgcr>, now: number): void {
  const retryOrLedger = (failure: RetryFailure, lastResult: string) =>
    applyDecision(
      ctx,
      task,
      decideRetry(failure, task.history, task.id, ctx.space.newestExisting, now, ctx.policy),
      lastResult,
      result.meta,
    )
  switch (result.kind) {
    case "ok":
      handlePgcr(ctx, task, result.value, now, retryOrLedger)
      return
    case "notFound":
      retryOrLedger("notFound", "notFound")
      return
    case "blocked":
      // Withheld (floodgates): it exists, so it counts for the frontier; the replayer retries it.
      ctx.space.noteSeen(task.id)
      ctx.toWriter(ledgerItem(task, "blocked", "blocked", now + ctx.policy.ledgerRetryMs.blocked, result.meta))
      ctx.stats.noteMissed()
      return
    case "throttled":
    case "disabled":
      retryOrLedger("wait", result.kind)
      return
    case "transient":
      retryOrLedger("transient", `transient: ${result.reason}`)
      return
    case "badFormat":
      retryOrLedger("badFormat", `badFormat: ${result.reason}`)
      return
    case "fatal":
      ctx.fatal(result.reason)
      return
  }
}

function handlePgcr(
  ctx: ResultContext,
  task: FetchTask,
  pgcr: RawPgcr,
  now: number,
  retryOrLedger: (failure: RetryFailure, lastResult: string) => void,
): void {
  ctx.space.noteSeen(task.id)
  ctx.stats.noteNewest(task.id, null)
  const processed = processPgcr(pgcr.pgcr, ctx.defs)
  switch (processed.kind) {
    case "raid": {
      const completedAt = Date.parse(processed.instance.dateCompleted)
      ctx.toWriter({
        kind: "raid",
        id: task.id.toString(),
        instance: processed.instance,
        activityId: processed.activityId,
        versionId: processed.versionId,
        raw: encodeRawPgcr(pgcr.bytes),
        completedAt,
        attempts: countAttempts(task),
      })
      ctx.stats.noteRaid()
      ctx.stats.noteNewest(task.id, completedAt)
      return
    }
    case "nonRaid": {
      ctx.stats.resolve(task.id)
      ctx.stats.noteNonRaid()
      ctx.metrics?.resolved.inc({ how: "nonRaid" })
      const completed = Date.parse(processed.dateCompleted)
      if (Number.isFinite(completed)) {
        const lagSeconds = Math.max(0, (now - completed) / 1000)
        ctx.metrics?.lag.observe(lagSeconds)
        observeCrawlSummaryLag(ctx.metrics?.crawlSummaryLag, "nonRaid", countAttempts(task), completed, now)
        ctx.stats.noteNewest(task.id, completed)
        ctx.stats.noteLag(lagSeconds)
      }
      if (processed.unknownRaidHash) ctx.log.warn("atlas.fetcher.unknown_raid_hash", { id: task.id, hash: processed.hash })
      return
    }
    default:
      retryOrLedger(processed.code === "incomplete" ? "incomplete" : "badFormat", processed.reason)
  }
}

function applyDecision(ctx: ResultContext, task: FetchTask, decision: RetryDecision, lastResult: string, meta: ResultMeta): void {
  if (decision.action === "retry") {
    ctx.retry(task, decision)
    return
  }
  ctx.toWriter(ledgerItem(task, decision.reason, lastResult || decision.reason, decision.nextRetryAt, meta))
  ctx.stats.noteMissed()
}

function ledgerItem(task: FetchTask, reason: MissedReason, lastResult: string, nextRetryAt: number | null, meta: ResultMeta): WriterItem {
  return {
    kind: "missed",
    id: task.id.toString(),
    reason,
    lastResult: lastResult.slice(0, 500),
    httpStatus: meta.httpStatus,
    errorCode: meta.errorCode,
    attempts: countAttempts(task),
    nextRetryAt,
  }
}

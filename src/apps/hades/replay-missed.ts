/**
 * hades: replays the missed-PGCR ledger (crawl.missed_pgcr). Ids due for retry are fetched again
 * and processed with the crawler's rules; raids are stored through the same batched store as
 * atlas, in the same transaction that resolves their ledger rows. Withheld ids (code 12) are
 * handed to the pgcr_blocked queue (an outbox row; without a broker the relay writes them back
 * as `blocked` with their retry time). Everything else is rescheduled by the replay policy or,
 * when its budget is spent, made terminal (`lost`). With `gap`, the ids around every unresolved
 * gap range are tried as well (a dead block may have been published since); a gap range is
 * resolved once none of its ids is missing any more.
 */
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import type { Progress } from "../../lib/cli/progress.ts"
import { storeInTransaction } from "../../lib/database/instance-store.ts"
import type { Sql } from "../../lib/database/postgres.ts"
import type { AnyTx } from "../../lib/database/sql-types.ts"
import { lockInstanceStore } from "../../lib/database/store-lock.ts"
import type { Definitions } from "../../lib/definitions.ts"
import { type FailureInfo, type FetchOutcome, fetchAndProcess, mapBounded } from "../../lib/jobs/fetch-and-process.ts"
import { enqueuePayloads } from "../../lib/jobs/queue-outbox.ts"
import { DEFAULT_REPLAY_POLICY, decideReplay, findLargestGaps, type IdRun, type ReplayPolicy } from "./replay-policy.ts"

export interface ReplayOptions {
  sql: Sql
  bungie: RateLimitedBungie
  defs: Definitions
  now?: () => Date
  random?: () => number
  /** Most ledger ids per run. */
  limit: number
  batchSize: number
  concurrency: number
  gap: boolean
  /** Ids tried on each side of a gap range. */
  gapMargin: number
  /** Most gap ids per run; more is refused (a runaway range). */
  maxGapIds: number
  dryRun: boolean
  /**
   * Stop taking new batches after this long (ms), so a scheduled run ends with its summary before
   * the scheduler's timeout; the ids left are due for the next run. null = no limit.
   */
  budgetMs?: number | null
  /** Monotonic milliseconds (for the budget). */
  elapsedClock?: () => number
  policy?: ReplayPolicy
  progress?: (total: number) => Progress
}

export interface ReplaySummary {
  /** Ledger ids due, and gap ids to try. */
  due: number
  gapIds: number
  processed: number
  /** Raids stored by this run. */
  stored: number
  /** Raids that were stored already (the ledger row is resolved). */
  alreadyStored: number
  nonRaid: number
  /** Handed to pgcr_blocked. */
  blocked: number
  /** Still missing after this run (rescheduled ledger rows and gap ids not found). */
  stillMissing: number
  /** Ledger rows made terminal by this run. */
  lost: number
  gapsResolved: number
  /** Ids not tried because the time budget ran out. */
  deferred: number
  largestGaps: IdRun[]
}

export class GapRangeTooLargeError extends Error {}

interface Candidate {
  id: string
  /** Replays before this one; null for a gap id without a ledger row. */
  replays: number | null
  lastResult: string | null
}

interface LedgerWrite {
  id: string
  state: "pending" | "blocked" | "resolved" | "lost"
  replays: number
  lastResult: string
  httpStatus: number | null
  errorCode: number | null
  errorStatus: string | null
  reason: string | null
  nextRetryAt: Date | null
  resolution: "raid" | "nonRaid" | null
}

export async function replayMissed(o: ReplayOptions): Promise<ReplaySummary> {
  const now = o.now ?? (() => new Date())
  const policy = o.policy ?? DEFAULT_REPLAY_POLICY
  const started = now()
  const due = await selectDue(o.sql, started, o.limit)
  const gaps = o.gap ? await selectGapRanges(o.sql) : []
  const gapCandidates = o.gap ? await expandGaps(o.sql, gaps, o.gapMargin, o.maxGapIds, due) : []
  const summary: ReplaySummary = {
    due: due.length,
    gapIds: gapCandidates.length,
    processed: 0,
    stored: 0,
    alreadyStored: 0,
    nonRaid: 0,
    blocked: 0,
    stillMissing: 0,
    lost: 0,
    gapsResolved: 0,
    deferred: 0,
    largestGaps: [],
  }
  if (o.dryRun) return summary
  const clock = o.elapsedClock ?? (() => performance.now())
  const startedAt = clock()

  const candidates = [...due, ...gapCandidates]
  const missing: bigint[] = []
  const progress = o.progress?.(candidates.length)
  for (let i = 0; i < candidates.length; i += o.batchSize) {
    if (o.budgetMs != null && clock() - startedAt >= o.budgetMs) {
      summary.deferred = candidates.length - i
      break
    }
    const batch = candidates.slice(i, i + o.batchSize)
    const outcomes = await mapBounded(batch, o.concurrency, (c) =>
      fetchAndProcess(o.bungie, BigInt(c.id), o.defs, { cacheBust: c.lastResult === "badFormat" ? (c.replays ?? 0) + 1 : 0 }),
    )
    await o.sql.begin(async (tx) => {
      await lockInstanceStore(tx)
      const raids = outcomes.flatMap((out) => (out.kind === "raid" ? [out.item] : []))
      const report = raids.length > 0 ? await storeInTransaction(tx, raids) : null
      const unknownHash = new Set(report?.unknownHashIds ?? [])
      const storedNow = new Set(report?.storedIds ?? [])
      const writes: LedgerWrite[] = []
      const blocked: object[] = []
      batch.forEach((c, k) => {
        const out = outcomes[k]!
        const result = settle(c, out, unknownHash, now(), policy, o.random)
        summary.processed++
        if (out.kind === "raid" && !unknownHash.has(c.id)) {
          if (storedNow.has(c.id)) summary.stored++
          else summary.alreadyStored++
        }
        if (out.kind === "nonRaid") summary.nonRaid++
        if (result.blocked) {
          summary.blocked++
          blocked.push(blockedPayload(c.id, out, now(), policy))
        }
        if (result.missing) {
          summary.stillMissing++
          missing.push(BigInt(c.id))
        }
        if (result.write?.state === "lost") summary.lost++
        if (result.write) writes.push(result.write)
      })
      await writeLedger(tx, writes)
      await enqueuePayloads(tx, "pgcr_blocked", blocked)
    })
    progress?.advance(batch.length)
  }
  progress?.finish()
  // A gap range is resolved only when every one of its ids was tried.
  if (o.gap && summary.deferred === 0) summary.gapsResolved = await resolveGaps(o.sql, gaps, missing)
  summary.largestGaps = findLargestGaps(missing, 15)
  return summary
}

interface Settled {
  write: LedgerWrite | null
  missing: boolean
  blocked: boolean
}

/** What one outcome does to the id's ledger row. */
function settle(
  c: Candidate,
  out: FetchOutcome,
  unknownHash: ReadonlySet<string>,
  now: Date,
  policy: ReplayPolicy,
  random?: () => number,
): Settled {
  const replays = (c.replays ?? 0) + 1
  const base = { id: c.id, replays, httpStatus: null, errorCode: null, errorStatus: null, reason: null }
  if (out.kind === "nonRaid") {
    const write: LedgerWrite = { ...base, state: "resolved", lastResult: "nonRaid", nextRetryAt: null, resolution: "nonRaid" }
    return { write: c.replays === null ? null : write, missing: false, blocked: false }
  }
  if (out.kind === "raid" && !unknownHash.has(c.id)) {
    const write: LedgerWrite = { ...base, state: "resolved", lastResult: "raid", nextRetryAt: null, resolution: "raid" }
    return { write: c.replays === null ? null : write, missing: false, blocked: false }
  }
  const failure: FailureInfo =
    out.kind === "failed"
      ? out.failure
      : {
          kind: "transient",
          httpStatus: null,
          errorCode: null,
          errorStatus: null,
          reason: "unknown activity hash: update the definitions seed",
        }
  const lastResult = out.kind === "raid" ? "storeFailed" : failure.kind
  const detail = { httpStatus: failure.httpStatus, errorCode: failure.errorCode, errorStatus: failure.errorStatus, reason: failure.reason }
  if (failure.kind === "blocked") {
    // pgcr_blocked owns it now; without a broker the relay writes its retry time back here.
    return {
      write: { ...base, ...detail, state: "blocked", lastResult: "blocked", nextRetryAt: null, resolution: null },
      missing: false,
      blocked: true,
    }
  }
  // A gap id that is still not found stays a gap (ranges are recorded, not every id of them).
  if (c.replays === null && failure.kind === "notFound") return { write: null, missing: true, blocked: false }
  const decision = decideReplay(lastResult === "storeFailed" ? "storeFailed" : failure.kind, replays, now, policy, random)
  return {
    write: { ...base, ...detail, state: decision.state, lastResult, nextRetryAt: decision.nextRetryAt, resolution: null },
    missing: true,
    blocked: false,
  }
}

function blockedPayload(id: string, out: FetchOutcome, now: Date, policy: ReplayPolicy): object {
  const failure = out.kind === "failed" ? out.failure : null
  return {
    instanceId: id,
    blockedAt: now.toISOString(),
    crawler: "hades",
    // hades counted its attempt in the ledger row already.
    attempts: 0,
    httpStatus: failure?.httpStatus ?? null,
    errorCode: failure?.errorCode ?? 12,
    lastResult: "blocked",
    retryAt: new Date(now.getTime() + policy.blockedRetryMs).toISOString(),
  }
}

async function selectDue(sql: Sql, now: Date, limit: number): Promise<Candidate[]> {
  const rows = await sql<{ id: string; replays: number; last_result: string }[]>`
    select instance_id::text as id, replays, last_result from crawl.missed_pgcr
    where state in ('pending', 'blocked') and next_retry_at <= ${now}
    order by instance_id limit ${limit}`
  return rows.map((r) => ({ id: r.id, replays: r.replays, lastResult: r.last_result }))
}

interface GapRange {
  id: string
  start: bigint
  end: bigint
}

async function selectGapRanges(sql: Sql): Promise<GapRange[]> {
  const rows = await sql<{ id: string; start_id: string; end_id: string }[]>`
    select id::text, start_id::text, end_id::text from crawl.gap_range where not resolved order by start_id`
  return rows.map((r) => ({ id: r.id, start: BigInt(r.start_id), end: BigInt(r.end_id) }))
}

/** Ids in [start - margin, end + margin) of each gap that are neither stored nor in the ledger. */
async function expandGaps(
  sql: Sql,
  gaps: readonly GapRange[],
  margin: number,
  maxIds: number,
  due: readonly Candidate[],
): Promise<Candidate[]> {
  const m = BigInt(margin)
  const spans: [bigint, bigint][] = []
  let total = 0n
  for (const g of gaps) {
    const from = g.start - m < 1n ? 1n : g.start - m
    spans.push([from, g.end + m])
    total += g.end + m - from
  }
  if (total > BigInt(maxIds)) {
    throw new GapRangeTooLargeError(
      `the gap ranges hold ${total} ids with the margin, more than --max-gap-ids ${maxIds}: replay a part with --gap-margin 0 or raise the limit`,
    )
  }
  const dueIds = new Set(due.map((c) => c.id))
  const out: Candidate[] = []
  for (const [from, to] of spans) {
    const rows = await sql<{ id: string }[]>`
      select g::text as id from generate_series(${from.toString()}::bigint, ${(to - 1n).toString()}::bigint) g
      where not exists (select 1 from core.instance i where i.instance_id = g)
        and not exists (select 1 from crawl.missed_pgcr m where m.instance_id = g)
      order by g`
    for (const r of rows) if (!dueIds.has(r.id)) out.push({ id: r.id, replays: null, lastResult: null })
  }
  return [...new Map(out.map((c) => [c.id, c])).values()]
}

/** Marks the gap ranges none of whose ids is still missing as resolved; returns how many. */
async function resolveGaps(sql: Sql, gaps: readonly GapRange[], missing: readonly bigint[]): Promise<number> {
  const done = gaps.filter((g) => !missing.some((id) => id >= g.start && id < g.end)).map((g) => g.id)
  if (done.length === 0) return 0
  await sql`update crawl.gap_range set resolved = true, resolved_at = now() where id = any(${done}::bigint[]) and not resolved`
  return done.length
}

async function writeLedger(tx: AnyTx, writes: readonly LedgerWrite[]): Promise<void> {
  if (writes.length === 0) return
  await tx.unsafe(
    `insert into crawl.missed_pgcr as m (instance_id, crawler, attempts, replays, last_result, last_http_status, last_error_code,
                                         last_error_status, last_reason, next_retry_at, state, resolution, resolved_at)
     select w.id, 'hades', 1, w.replays, w.last_result, w.http, w.code, w.status, w.reason, w.next_retry_at::timestamptz,
            w.state::crawl.missed_state, w.resolution, case when w.state = 'resolved' then now() end
     from unnest($1::bigint[], $2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
          as w(id, replays, last_result, http, code, status, reason, next_retry_at, state, resolution)
     on conflict (instance_id) do update set
       attempts = m.attempts + 1, replays = excluded.replays, last_result = excluded.last_result,
       last_http_status = excluded.last_http_status, last_error_code = excluded.last_error_code,
       last_error_status = excluded.last_error_status, last_reason = excluded.last_reason,
       next_retry_at = excluded.next_retry_at, state = excluded.state, resolution = excluded.resolution,
       resolved_at = excluded.resolved_at, updated_at = now()
     where m.state <> 'resolved'`,
    [
      writes.map((w) => w.id),
      writes.map((w) => w.replays),
      writes.map((w) => w.lastResult),
      writes.map((w) => w.httpStatus),
      writes.map((w) => w.errorCode),
      writes.map((w) => w.errorStatus),
      writes.map((w) => w.reason),
      writes.map((w) => w.nextRetryAt?.toISOString() ?? null),
      writes.map((w) => w.state),
      writes.map((w) => w.resolution),
    ],
  )
}

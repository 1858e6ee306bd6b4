/**
 * The fleet's leases in Postgres: id ranges in crawl.id_range_lease, the leader lease in
 * crawl.fleet_leader (0190), the processes seen lately in crawl.fleet_member (0200). Every time
 * comparison uses the server's clock (now()), so boxes whose clocks drift still agree on who
 * holds what.
 *
 * Claims of one crawler are serialised by a transaction-scoped advisory lock: a claim reads the
 * leases, plans (lease-plan.ts) and inserts or takes over in one short transaction, so two
 * processes never plan the same fresh range. The exclusion constraint on live ranges stays the
 * safety net. A heartbeat, a release and the leader lease are single conditional statements
 * (the owner must still hold the row), needing no lock besides the row's own.
 */
import { maxBigint, minBigint } from "../../../lib/bigint.ts"
import type { Sql } from "../../../lib/database/postgres.ts"
import { nameBoundedCrawler } from "../coordinator/checkpoint.ts"
import { type ClaimPlan, globalLowWater, type LeaseRow, type LeaseState, planClaim, type RangeSizeOptions } from "./lease-plan.ts"

export interface Lease {
  leaseId: bigint
  crawler: string
  rangeStart: bigint
  /** Exclusive. */
  rangeEnd: bigint
  /** Where crawling goes on (range start for a fresh lease, resume_from for a takeover). */
  from: bigint
  takeover: boolean
  /** Previous owner of a takeover. */
  previousOwner: string | null
}

export interface ClaimOptions {
  crawler: string
  owner: string
  leaseMs: number
  /** Where the fleet starts when nothing was leased yet. */
  origin: bigint
  /** Exclusive end of a bounded fleet; null = follow the head. */
  end: bigint | null
  head: bigint | null
  leader: boolean
  sizes?: RangeSizeOptions
}

export type ClaimResult = { kind: "leased"; lease: Lease } | Extract<ClaimPlan, { kind: "none" }>

const LOCK_PREFIX = "raidhub:fleet:"

interface LeaseDbRow {
  lease_id: bigint
  range_start: bigint
  range_end: bigint
  owner: string
  state: LeaseState
  expires_ms: number
  resume_from: bigint | null
}

function toRow(r: LeaseDbRow): LeaseRow {
  return {
    leaseId: BigInt(r.lease_id),
    rangeStart: BigInt(r.range_start),
    rangeEnd: BigInt(r.range_end),
    owner: r.owner,
    state: r.state,
    expiresAt: Number(r.expires_ms),
    resumeFrom: r.resume_from === null ? null : BigInt(r.resume_from),
  }
}

/** Every lease of a crawler, and the server's clock (ms). */
export async function loadLeases(sql: Sql, crawler: string): Promise<{ leases: LeaseRow[]; now: number }> {
  const rows = await sql<(LeaseDbRow & { now_ms: number })[]>`
    SELECT lease_id, range_start, range_end, owner, state::text AS state, resume_from,
           (extract(epoch FROM lease_expires_at) * 1000)::float8 AS expires_ms,
           (extract(epoch FROM now()) * 1000)::float8 AS now_ms
    FROM crawl.id_range_lease WHERE crawler = ${crawler} ORDER BY range_start`
  const now = rows[0] ? Number(rows[0].now_ms) : await serverNow(sql)
  return { leases: rows.map(toRow), now }
}

async function serverNow(sql: Sql): Promise<number> {
  const [row] = await sql<{ now_ms: number }[]>`SELECT (extract(epoch FROM now()) * 1000)::float8 AS now_ms`
  return Number(row!.now_ms)
}

/**
 * Done leases kept row by row (the newest, for whoever reads the fleet's recent history); older
 * adjacent done leases are merged into one row. A fleet following the head finishes thousands of
 * ranges a day, and every claim reads the crawler's leases: without merging that read grows
 * without bound.
 */
export const DONE_LEASES_KEPT = 64

/**
 * How long a claim counts a process as alive after its last claim. A process between ranges
 * claims every ≤ 2 s (fleet-runner.ts idleMs); one crawling a range shows by its lease.
 */
export const MEMBER_SEEN_MS = 15_000

/** Stamps `owner` as seen and counts the other processes seen within MEMBER_SEEN_MS (under the claim lock). */
async function noteMember(tx: Sql, crawler: string, owner: string): Promise<number> {
  await tx`
    INSERT INTO crawl.fleet_member (crawler, owner) VALUES (${crawler}, ${owner})
    ON CONFLICT (crawler, owner) DO UPDATE SET seen_at = now()`
  await tx`DELETE FROM crawl.fleet_member WHERE crawler = ${crawler} AND seen_at < now() - interval '1 hour'`
  const [row] = await tx<{ n: number }[]>`
    SELECT count(*)::int AS n FROM crawl.fleet_member
    WHERE crawler = ${crawler} AND owner <> ${owner} AND seen_at > now() - ${MEMBER_SEEN_MS} * interval '1 millisecond'`
  return row?.n ?? 0
}

/** A process stopping cleanly is no longer seen (the others need not wait out MEMBER_SEEN_MS). */
export async function forgetMember(sql: Sql, crawler: string, owner: string): Promise<void> {
  await sql`DELETE FROM crawl.fleet_member WHERE crawler = ${crawler} AND owner = ${owner}`
}

/** Leases the next range for `owner`: a takeover of an expired or released range, else a fresh one. */
export async function claimRange(sql: Sql, o: ClaimOptions): Promise<ClaimResult> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${LOCK_PREFIX + o.crawler}))`
    const othersSeen = await noteMember(tx as unknown as Sql, o.crawler, o.owner)
    let { leases, now } = await loadLeases(tx as unknown as Sql, o.crawler)
    if (leases.filter((l) => l.state === "done").length > 2 * DONE_LEASES_KEPT) {
      await compactDoneLeases(tx as unknown as Sql, o.crawler, DONE_LEASES_KEPT)
      ;({ leases, now } = await loadLeases(tx as unknown as Sql, o.crawler))
    }
    const plan = planClaim(leases, {
      now,
      origin: o.origin,
      end: o.end,
      head: o.head,
      leader: o.leader,
      owner: o.owner,
      othersSeen,
      ...(o.sizes ? { sizes: o.sizes } : {}),
    })
    if (plan.kind === "none") return plan
    if (plan.kind === "takeover") {
      const [row] = await tx<{ lease_id: bigint }[]>`
        UPDATE crawl.id_range_lease SET owner = ${o.owner}, state = 'leased', leased_at = now(), heartbeat_at = now(),
          lease_expires_at = now() + ${o.leaseMs} * interval '1 millisecond', resume_from = ${plan.from.toString()}
        WHERE lease_id = ${plan.lease.leaseId.toString()} RETURNING lease_id`
      if (!row) throw new Error(`lease ${plan.lease.leaseId} vanished under the fleet lock`)
      return {
        kind: "leased",
        lease: {
          leaseId: plan.lease.leaseId,
          crawler: o.crawler,
          rangeStart: plan.lease.rangeStart,
          rangeEnd: plan.lease.rangeEnd,
          from: plan.from,
          takeover: true,
          previousOwner: plan.lease.owner,
        },
      }
    }
    const [row] = await tx<{ lease_id: bigint }[]>`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at, resume_from)
      VALUES (${o.crawler}, ${plan.start.toString()}, ${plan.end.toString()}, ${o.owner},
              now() + ${o.leaseMs} * interval '1 millisecond', ${plan.start.toString()})
      RETURNING lease_id`
    return {
      kind: "leased",
      lease: {
        leaseId: BigInt(row!.lease_id),
        crawler: o.crawler,
        rangeStart: plan.start,
        rangeEnd: plan.end,
        from: plan.start,
        takeover: false,
        previousOwner: null,
      },
    }
  })
}

/**
 * Merges runs of adjacent done leases into their first row (range_end, resume_from and
 * completed_at of the run's last), leaving the `keep` most recently completed ones as they are.
 * Merging changes neither the covered ids, the origin (lowest start) nor the top (highest end),
 * so plans and the global low-water mark read the same. Run inside a transaction holding the
 * crawler's claim lock (claimRange does). Returns the rows removed.
 */
export async function compactDoneLeases(tx: Sql, crawler: string, keep: number): Promise<number> {
  const runs = await tx<{ first_id: bigint; run_end: bigint; completed_at: Date; merged: bigint[] }[]>`
      WITH old AS (
        SELECT lease_id, range_start, range_end, completed_at FROM (
          SELECT lease_id, range_start, range_end, completed_at,
                 row_number() OVER (ORDER BY completed_at DESC NULLS LAST, lease_id DESC) AS recency
          FROM crawl.id_range_lease WHERE crawler = ${crawler} AND state = 'done') d
        WHERE recency > ${keep}
      ), marked AS (
        SELECT *, CASE WHEN range_start = lag(range_end) OVER (ORDER BY range_start) THEN 0 ELSE 1 END AS starts_run
        FROM old
      ), grouped AS (
        SELECT *, sum(starts_run) OVER (ORDER BY range_start) AS run FROM marked
      )
      SELECT (array_agg(lease_id ORDER BY range_start))[1] AS first_id, max(range_end) AS run_end,
             max(completed_at) AS completed_at,
             (array_agg(lease_id ORDER BY range_start))[2:] AS merged
      FROM grouped GROUP BY run HAVING count(*) > 1`
  let removed = 0
  for (const r of runs) {
    const ids = r.merged.map(String)
    await tx`DELETE FROM crawl.id_range_lease WHERE lease_id = ANY(${ids}::bigint[])`
    await tx`
        UPDATE crawl.id_range_lease SET range_end = ${String(r.run_end)}, resume_from = ${String(r.run_end)},
          completed_at = ${r.completed_at}
        WHERE lease_id = ${String(r.first_id)}`
    removed += ids.length
  }
  return removed
}

/**
 * Extends the lease and records its low-water mark (resume_from never moves back). False: the
 * lease is no longer this owner's (it expired and was taken over): stop crawling it.
 */
export async function heartbeatLease(sql: Sql, lease: Lease, owner: string, resumeFrom: bigint, leaseMs: number): Promise<boolean> {
  const rows = await sql`
    UPDATE crawl.id_range_lease SET heartbeat_at = now(), lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
      resume_from = GREATEST(COALESCE(resume_from, range_start), LEAST(${resumeFrom.toString()}::bigint, range_end))
    WHERE lease_id = ${lease.leaseId.toString()} AND owner = ${owner} AND state = 'leased'
    RETURNING lease_id`
  return rows.length === 1
}

/**
 * The range is resolved: the lease is done (whoever holds it now: a slow owner that lost it still
 * finished it), and the range's own checkpoint row goes (it only served a takeover).
 */
export async function completeLease(sql: Sql, lease: Lease): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      UPDATE crawl.id_range_lease SET state = 'done', completed_at = now(), resume_from = range_end
      WHERE lease_id = ${lease.leaseId.toString()}`
    await tx`DELETE FROM crawl.crawler_state WHERE crawler = ${rangeCrawler(lease)}`
  })
}

/**
 * Gives an unfinished range back: at once (a graceful stop), or parked for `holdMs` (its holes
 * wait for publication meanwhile); the next claim after that takes it from resumeFrom.
 */
export async function releaseLease(sql: Sql, lease: Lease, owner: string, resumeFrom: bigint, holdMs = 0): Promise<boolean> {
  const rows = await sql`
    UPDATE crawl.id_range_lease SET state = 'released', lease_expires_at = now() + ${holdMs} * interval '1 millisecond',
      resume_from = GREATEST(COALESCE(resume_from, range_start), LEAST(${resumeFrom.toString()}::bigint, range_end))
    WHERE lease_id = ${lease.leaseId.toString()} AND owner = ${owner} AND state = 'leased'
    RETURNING lease_id`
  return rows.length === 1
}

/** The checkpoint row (crawl.crawler_state) of one leased range: a takeover resumes exactly from it. */
export function rangeCrawler(lease: Pick<Lease, "crawler" | "rangeStart" | "rangeEnd">): string {
  return nameBoundedCrawler(`fleet:${lease.crawler}`, lease.rangeStart, lease.rangeEnd - 1n)
}

export interface LeaderState {
  owner: string
  epoch: bigint
  expiresAt: number
  frontier: bigint | null
}

/**
 * Takes or renews the leader lease; null when another process holds it unexpired. `frontier`
 * (the leader's newest known id) is published for the others.
 */
export async function acquireLeader(
  sql: Sql,
  crawler: string,
  owner: string,
  leaseMs: number,
  frontier: bigint | null,
): Promise<LeaderState | null> {
  const rows = await sql<{ owner: string; epoch: bigint; expires_ms: number; frontier_estimate: bigint | null }[]>`
    INSERT INTO crawl.fleet_leader AS l (crawler, owner, expires_at, frontier_estimate)
    VALUES (${crawler}, ${owner}, now() + ${leaseMs} * interval '1 millisecond', ${frontier?.toString() ?? null})
    ON CONFLICT (crawler) DO UPDATE SET
      owner = EXCLUDED.owner,
      epoch = CASE WHEN l.owner = EXCLUDED.owner THEN l.epoch ELSE l.epoch + 1 END,
      acquired_at = CASE WHEN l.owner = EXCLUDED.owner THEN l.acquired_at ELSE now() END,
      heartbeat_at = now(),
      expires_at = EXCLUDED.expires_at,
      frontier_estimate = COALESCE(EXCLUDED.frontier_estimate, l.frontier_estimate)
    WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now()
    RETURNING owner, epoch, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms, frontier_estimate`
  const row = rows[0]
  return row ? toLeader(row) : null
}

export async function readLeader(sql: Sql, crawler: string): Promise<LeaderState | null> {
  const rows = await sql<{ owner: string; epoch: bigint; expires_ms: number; frontier_estimate: bigint | null }[]>`
    SELECT owner, epoch, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms, frontier_estimate
    FROM crawl.fleet_leader WHERE crawler = ${crawler}`
  const row = rows[0]
  return row ? toLeader(row) : null
}

/** A graceful stop hands the head over at once instead of after the lease period. */
export async function releaseLeader(sql: Sql, crawler: string, owner: string): Promise<void> {
  await sql`UPDATE crawl.fleet_leader SET expires_at = now() WHERE crawler = ${crawler} AND owner = ${owner}`
}

function toLeader(row: { owner: string; epoch: bigint; expires_ms: number; frontier_estimate: bigint | null }): LeaderState {
  return {
    owner: row.owner,
    epoch: BigInt(row.epoch),
    expiresAt: Number(row.expires_ms),
    frontier: row.frontier_estimate === null ? null : BigInt(row.frontier_estimate),
  }
}

export interface FleetSnapshot {
  /** Every id below it is resolved (computed from the leases); null: nothing leased yet. */
  lowWater: bigint | null
  /** Exclusive top of everything leased. */
  top: bigint | null
  live: number
  done: number
  takeable: number
  owners: string[]
}

/** The fleet's state from the leases: the global low-water mark, counts, live owners. */
export async function fleetSnapshot(sql: Sql, crawler: string): Promise<FleetSnapshot> {
  const { leases, now } = await loadLeases(sql, crawler)
  if (leases.length === 0) return { lowWater: null, top: null, live: 0, done: 0, takeable: 0, owners: [] }
  const origin = leases.map((l) => l.rangeStart).reduce(minBigint)
  const top = leases.map((l) => l.rangeEnd).reduce(maxBigint)
  const live = leases.filter((l) => l.state === "leased" && l.expiresAt > now)
  return {
    lowWater: globalLowWater(origin, leases),
    top,
    live: live.length,
    done: leases.filter((l) => l.state === "done").length,
    takeable: leases.filter((l) => l.state !== "done" && !(l.state === "leased" && l.expiresAt > now)).length,
    owners: [...new Set(live.map((l) => l.owner))].sort(),
  }
}

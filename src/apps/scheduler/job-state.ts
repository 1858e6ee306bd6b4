/**
 * A job's lock and its row in ops.scheduled_job. The lock is a session-level Postgres advisory
 * lock keyed by the job name, taken on a one-connection session opened for the run: it holds
 * across boxes, and it goes away with the connection if the scheduler dies. Under the lock a run claims
 * its slot (last_slot only moves forward), so a slot another scheduler already ran is skipped
 * even when that run has finished and released the lock.
 */
import type { Sql } from "../../lib/database/postgres.ts"
import type { RunOutcome } from "./scheduler-metrics.ts"

/** Key space of the job locks (two-int advisory locks; "RHJB"), apart from every one-key lock. */
const LOCK_NAMESPACE = 0x52484a42

/** A one-connection client: every query of a run goes to the session holding the lock. */
export type JobSession = Sql

/** Tries the job's lock on a reserved connection; true when this session now holds it. */
export async function tryLockJob(conn: JobSession, job: string): Promise<boolean> {
  const [row] = await conn<{ locked: boolean }[]>`select pg_try_advisory_lock(${LOCK_NAMESPACE}::int, hashtext(${job})) as locked`
  return row?.locked === true
}

/** True while this session still holds the job's lock (false, or a thrown error, once it lost it). */
export async function holdsJobLock(conn: JobSession, job: string): Promise<boolean> {
  const [row] = await conn<{ held: boolean }[]>`
    select exists (
      select 1 from pg_locks
      where locktype = 'advisory' and pid = pg_backend_pid() and granted
        and classid = ${LOCK_NAMESPACE}::int::oid and objid = hashtext(${job})::oid and objsubid = 2
    ) as held`
  return row?.held === true
}

export async function unlockJob(conn: JobSession, job: string): Promise<void> {
  await conn`select pg_advisory_unlock(${LOCK_NAMESPACE}::int, hashtext(${job}))`
}

/** Records the start of the run for `slot`; false when a run for this slot (or a later one) exists. */
export async function claimSlot(conn: JobSession, job: string, slot: Date, host: string): Promise<boolean> {
  const rows = await conn`
    insert into ops.scheduled_job as s (job, last_slot, last_started_at, last_host)
    values (${job}, ${slot}, now(), ${host})
    on conflict (job) do update set
      last_slot = excluded.last_slot, last_started_at = excluded.last_started_at, last_host = excluded.last_host,
      last_finished_at = null, last_outcome = null, last_exit_code = null, last_duration_ms = null, runs = s.runs + 1
    where s.last_slot < excluded.last_slot
    returning job`
  return rows.length === 1
}

export async function recordFinish(
  conn: JobSession,
  job: string,
  outcome: RunOutcome,
  exitCode: number | null,
  durationMs: number,
): Promise<void> {
  await conn`
    update ops.scheduled_job set
      last_finished_at = now(), last_outcome = ${outcome}, last_exit_code = ${exitCode},
      last_duration_ms = ${Math.round(durationMs)},
      last_success_at = case when ${outcome} = 'success' then now() else last_success_at end
    where job = ${job}`
}

export interface JobStateRow {
  job: string
  lastSuccessAt: Date | null
  lastOutcome: string | null
  lastDurationMs: number | null
}

/** Every job's last known state (metrics at start). */
export async function loadJobStates(sql: Sql): Promise<JobStateRow[]> {
  const rows = await sql<{ job: string; last_success_at: Date | null; last_outcome: string | null; last_duration_ms: number | null }[]>`
    select job, last_success_at, last_outcome, last_duration_ms from ops.scheduled_job order by job`
  return rows.map((r) => ({
    job: r.job,
    lastSuccessAt: r.last_success_at,
    lastOutcome: r.last_outcome,
    lastDurationMs: r.last_duration_ms,
  }))
}

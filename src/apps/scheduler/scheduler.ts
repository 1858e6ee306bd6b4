/**
 * The scheduler loop: wakes at the next fire time (at least every 30 s, so a clock jump is noticed
 * soon), starts each due job as child processes under its lock, and never stacks a job on itself:
 * a run that is due while the previous one is still going is skipped and counted (overrun), as is
 * a run another scheduler holds (locked) or already made for the slot (alreadyRan). One log line
 * per run. Stopping ends the running children (SIGTERM, then SIGKILL) and waits for them.
 */
import type { Registry } from "prom-client"
import type { Sql } from "../../lib/database/postgres.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { type MetricsOf, registerMetrics } from "../../lib/monitoring/metric-table.ts"
import { type ChildOptions, type ChildResult, runChild } from "./child-run.ts"
import { collectDueRuns, type DueRun, msUntilNext } from "./due-runs.ts"
import { claimSlot, holdsJobLock, loadJobStates, recordFinish, tryLockJob, unlockJob } from "./job-state.ts"
import type { ScheduleEntry } from "./schedule-file.ts"
import { OUTCOMES, type RunOutcome, SCHEDULER_METRICS, type SkipReason } from "./scheduler-metrics.ts"

export interface SchedulerOptions {
  entries: readonly ScheduleEntry[]
  sql: Sql
  /**
   * Opens the session a run holds its lock on: a client of one connection (not a connection
   * reserved from the pool), so a session the database dropped is noticed as a lost lock by the
   * next query (which reconnects without it) instead of being written to after it closed.
   */
  openSession: () => Sql
  log: Logger
  registry: Registry
  /** Names this scheduler in ops.scheduled_job and the logs. */
  host: string
  /** The argv of one step (default: `bun src/tools/main.ts <tool> [args]`). */
  commandOf: (step: readonly string[]) => string[]
  childEnv: Record<string, string | undefined>
  cwd: string
  killGraceMs: number
  /** How often a running job's lock is checked (default 15 s); a lost lock ends the job. */
  lockCheckMs?: number
  /** Injected for tests; defaults to runChild. */
  runStep?: (argv: readonly string[], options: ChildOptions) => Promise<ChildResult>
  now?: () => Date
  stdio?: "inherit" | "ignore"
}

export type RunReport =
  | { job: string; slot: Date; started: false; reason: SkipReason }
  | { job: string; slot: Date; started: true; outcome: RunOutcome; exitCode: number | null; durationMs: number; steps: number }

export interface Scheduler {
  /** Starts the timer loop. */
  start(): void
  /** Starts the runs due at `now` (the loop calls it; tests call it directly); resolves when they end. */
  runDue(now: Date): Promise<RunReport[]>
  /** Stops starting runs, ends the running ones, waits for them. */
  stop(): Promise<void>
  status(): SchedulerStatus
}

export interface SchedulerStatus {
  ok: boolean
  lastTickAt: string | null
  running: string[]
  next: Record<string, string | null>
}

const MAX_SLEEP_MS = 30_000

export async function createScheduler(o: SchedulerOptions): Promise<Scheduler> {
  const now = o.now ?? (() => new Date())
  const metrics = registerMetrics(o.registry, SCHEDULER_METRICS)
  const runStep = o.runStep ?? runChild
  const nextDue = new Map<string, Date | null>()
  const running = new Map<string, Promise<RunReport>>()
  const stopping = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let lastTick: Date | null = null

  await restoreMetrics(o.sql, metrics, o.entries)

  const skip = (run: DueRun, reason: SkipReason): RunReport => {
    metrics.skipped.inc({ job: run.entry.name, reason })
    o.log.info("scheduler.skipped", { job: run.entry.name, slot: run.slot.toISOString(), reason })
    return { job: run.entry.name, slot: run.slot, started: false, reason }
  }

  async function execute(run: DueRun): Promise<RunReport> {
    const job = run.entry.name
    const conn = o.openSession()
    try {
      if (!(await tryLockJob(conn, job))) return skip(run, "locked")
      try {
        if (!(await claimSlot(conn, job, run.slot, o.host))) return skip(run, "alreadyRan")
        metrics.running.set({ job }, 1)
        const lockLost = watchLock(conn, job)
        const result = await runSteps(run.entry, AbortSignal.any([stopping.signal, lockLost.signal])).finally(lockLost.stop)
        if (lockLost.signal.aborted) {
          // The connection holding the lock is gone (database restart, network): another
          // scheduler may take the job now, so this run was ended rather than overlap with it.
          o.log.error("scheduler.lock_lost", { job, slot: run.slot.toISOString() })
          recordMetrics(metrics, job, result.outcome, result.durationMs)
          return { job, slot: run.slot, started: true, ...result }
        }
        await recordFinish(conn, job, result.outcome, result.exitCode, result.durationMs)
        recordMetrics(metrics, job, result.outcome, result.durationMs)
        const fields = {
          job,
          slot: run.slot.toISOString(),
          outcome: result.outcome,
          exitCode: result.exitCode,
          durationMs: Math.round(result.durationMs),
        }
        if (result.outcome === "success") o.log.info("scheduler.run", { ...fields, steps: result.steps })
        else o.log.warn("scheduler.run", { ...fields, steps: result.steps, failedStep: result.failedStep })
        return { job, slot: run.slot, started: true, ...result }
      } finally {
        metrics.running.set({ job }, 0)
        // A lost connection took the lock with it.
        await unlockJob(conn, job).catch(() => {})
      }
    } catch (error) {
      o.log.error("scheduler.error", { job, slot: run.slot.toISOString(), error: error instanceof Error ? error.message : String(error) })
      metrics.skipped.inc({ job, reason: "error" })
      return { job, slot: run.slot, started: false, reason: "error" }
    } finally {
      await conn.end({ timeout: 5 }).catch(() => {})
    }
  }

  /** Aborts its signal when the job's lock can no longer be confirmed on `conn`. */
  function watchLock(conn: Sql, job: string): { signal: AbortSignal; stop: () => void } {
    const lost = new AbortController()
    let checking = false
    const timer = setInterval(() => {
      if (checking || lost.signal.aborted) return
      checking = true
      holdsJobLock(conn, job)
        .then((held) => {
          if (!held) lost.abort()
        })
        .catch(() => lost.abort())
        .finally(() => {
          checking = false
        })
    }, o.lockCheckMs ?? 15_000)
    return { signal: lost.signal, stop: () => clearInterval(timer) }
  }

  async function runSteps(entry: ScheduleEntry, signal: AbortSignal) {
    const started = performance.now()
    const deadline = Date.now() + entry.timeoutMs
    let exitCode: number | null = 0
    let outcome: RunOutcome = "success"
    let steps = 0
    let failedStep: string | undefined
    for (const step of entry.steps) {
      steps++
      const result = await runStep(o.commandOf(step), {
        deadline,
        killGraceMs: o.killGraceMs,
        env: o.childEnv,
        cwd: o.cwd,
        signal,
        ...(o.stdio === undefined ? {} : { stdio: o.stdio }),
      })
      exitCode = result.exitCode
      if (result.aborted) outcome = "interrupted"
      else if (result.timedOut) outcome = "timeout"
      else if (result.exitCode !== 0) outcome = "failure"
      if (outcome !== "success") {
        failedStep = step.join(" ")
        break
      }
    }
    return { outcome, exitCode, durationMs: performance.now() - started, steps, failedStep }
  }

  function runDue(at: Date): Promise<RunReport[]> {
    lastTick = at
    const reports: Promise<RunReport>[] = []
    if (stopping.signal.aborted) return Promise.resolve([])
    for (const run of collectDueRuns(o.entries, nextDue, at)) {
      const job = run.entry.name
      if (run.missed > 0) {
        metrics.skipped.inc({ job, reason: "missed" }, run.missed)
        o.log.warn("scheduler.missed", { job, missed: run.missed, slot: run.slot.toISOString() })
      }
      if (running.has(job)) {
        reports.push(Promise.resolve(skip(run, "overrun")))
        continue
      }
      const promise = execute(run).finally(() => running.delete(job))
      running.set(job, promise)
      reports.push(promise)
    }
    publishNextRuns()
    return Promise.all(reports)
  }

  function publishNextRuns(): void {
    for (const entry of o.entries) {
      const next = nextDue.get(entry.name)
      if (next) metrics.nextRun.set({ job: entry.name }, next.getTime() / 1000)
    }
  }

  function schedule(): void {
    if (stopping.signal.aborted) return
    const wait = Math.min(MAX_SLEEP_MS, msUntilNext(nextDue, now()) ?? MAX_SLEEP_MS)
    // A few ms past the fire time, so the clock reads at or after it.
    timer = setTimeout(tick, wait + 5)
  }

  function tick(): void {
    void runDue(now())
    schedule()
  }

  return {
    start() {
      for (const entry of o.entries) nextDue.set(entry.name, entry.next(now()))
      publishNextRuns()
      lastTick = now()
      schedule()
    },
    runDue,
    async stop() {
      stopping.abort()
      if (timer !== undefined) clearTimeout(timer)
      await Promise.all(running.values())
    },
    status() {
      const stale = lastTick === null || now().getTime() - lastTick.getTime() > 3 * MAX_SLEEP_MS
      return {
        ok: !stopping.signal.aborted && !stale,
        lastTickAt: lastTick?.toISOString() ?? null,
        running: [...running.keys()],
        next: Object.fromEntries(o.entries.map((e) => [e.name, nextDue.get(e.name)?.toISOString() ?? null])),
      }
    },
  }
}

function recordMetrics(metrics: MetricsOf<typeof SCHEDULER_METRICS>, job: string, outcome: RunOutcome, durationMs: number): void {
  metrics.runs.inc({ job, outcome })
  metrics.lastDuration.set({ job }, durationMs / 1000)
  for (const o of OUTCOMES) metrics.lastOutcome.set({ job, outcome: o }, o === outcome ? 1 : 0)
  if (outcome === "success") metrics.lastSuccess.set({ job }, Date.now() / 1000)
}

/** Last success, duration and outcome per job from ops.scheduled_job, so a restart keeps them. */
async function restoreMetrics(sql: Sql, metrics: MetricsOf<typeof SCHEDULER_METRICS>, entries: readonly ScheduleEntry[]): Promise<void> {
  const names = new Set(entries.map((e) => e.name))
  for (const name of names) {
    metrics.runs.inc({ job: name, outcome: "success" }, 0)
    metrics.running.set({ job: name }, 0)
  }
  for (const row of await loadJobStates(sql)) {
    if (!names.has(row.job)) continue
    if (row.lastSuccessAt) metrics.lastSuccess.set({ job: row.job }, row.lastSuccessAt.getTime() / 1000)
    if (row.lastDurationMs !== null) metrics.lastDuration.set({ job: row.job }, row.lastDurationMs / 1000)
    for (const o of OUTCOMES) metrics.lastOutcome.set({ job: row.job, outcome: o }, o === row.lastOutcome ? 1 : 0)
  }
}

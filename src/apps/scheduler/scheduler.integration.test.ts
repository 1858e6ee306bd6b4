/**
 * The scheduler against the real Postgres, with stand-in jobs (testing/fake-job.ts) as real child
 * processes: one lock across schedulers, overruns skipped and counted, a slot never run twice,
 * timeouts ending a job (SIGTERM, then SIGKILL), a failing step ending its chain.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Registry } from "prom-client"
import { loadConfig } from "../../lib/config/load-config.ts"
import { createSql, type Sql } from "../../lib/database/postgres.ts"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { TOOLS } from "../../tools/registry.ts"
import { childEnvOf } from "./child-env.ts"
import { parseSchedule } from "./schedule-file.ts"
import { createScheduler, type RunReport, type Scheduler } from "./scheduler.ts"

const FAKE_JOB = fileURLToPath(new URL("./testing/fake-job.ts", import.meta.url))
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const TOOL_MAIN = join(REPO_ROOT, "src/tools/main.ts")
const SLOW = 60_000
const quiet = createLogger({ level: "silent" })
const dir = mkdtempSync(join(tmpdir(), "raidhub-scheduler-"))
let db: TestDatabase
const pools: Sql[] = []

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
}, SLOW)
afterAll(async () => {
  for (const pool of pools) await pool.end({ timeout: 5 })
  await db?.drop()
  rmSync(dir, { recursive: true, force: true })
}, SLOW)

/** A scheduler with its own pool (another "box"); steps are `fake <marker> <ms> <code> [mode]`. */
async function makeScheduler(
  schedule: string,
  host: string,
  registry = new Registry(),
  killGraceMs = 5_000,
  lockCheckMs = 15_000,
): Promise<Scheduler> {
  const sql = createSql(db.url, { max: 4 })
  pools.push(sql)
  return createScheduler({
    entries: parseSchedule(schedule),
    sql,
    openSession: () => createSql(db.url, { max: 1 }),
    log: quiet,
    registry,
    host,
    commandOf: (step) => [process.execPath, FAKE_JOB, ...step.slice(1)],
    childEnv: { PATH: process.env.PATH },
    cwd: dir,
    killGraceMs,
    lockCheckMs,
    stdio: "ignore",
  })
}

function markerLines(marker: string): string[] {
  try {
    return readFileSync(marker, "utf8").trim().split("\n").filter(Boolean)
  } catch {
    return []
  }
}

const started = (r: RunReport) => r.started
const reasons = (reports: RunReport[]) => reports.filter((r) => !r.started).map((r) => (r.started ? "" : r.reason))

describe("scheduler", () => {
  test(
    "two schedulers, one lock: a due job runs once; the other scheduler skips it (locked, then alreadyRan)",
    async () => {
      const marker = join(dir, "two.log")
      const schedule = `*/15 * * * * hades 1m fake ${marker} 1500 0`
      const registryA = new Registry()
      const a = await makeScheduler(schedule, "box-a", registryA)
      const b = await makeScheduler(schedule, "box-b")
      const slot = new Date("2026-03-01T10:15:00.010Z")
      // Both wake for the same slot; whichever takes the lock runs, the other is skipped.
      await a.runDue(new Date("2026-03-01T10:01:00Z"))
      await b.runDue(new Date("2026-03-01T10:01:00Z"))
      const [ra, rb] = await Promise.all([a.runDue(slot), b.runDue(slot)])
      const all = [...ra!, ...rb!]
      expect(all.filter(started)).toHaveLength(1)
      expect(reasons(all)).toHaveLength(1)
      expect(["locked", "alreadyRan"]).toContain(reasons(all)[0]!)
      // A slow clock on a third box: the slot was run (and its lock released) — still not again.
      const c = await makeScheduler(schedule, "box-c")
      await c.runDue(new Date("2026-03-01T10:01:00Z"))
      expect(reasons(await c.runDue(slot))).toEqual(["alreadyRan"])
      // Exactly one process ran, start to end.
      expect(markerLines(marker).map((l) => l.split(" ")[0])).toEqual(["start", "end"])
      const [row] = await db.sql`select last_slot, last_outcome, runs from ops.scheduled_job where job = 'hades'`
      expect(row!.last_slot).toEqual(new Date("2026-03-01T10:15:00Z"))
      expect(row!.last_outcome).toBe("success")
      expect(row!.runs).toBe(1n)
    },
    SLOW,
  )

  test(
    "an overrun is skipped and counted, not stacked",
    async () => {
      const marker = join(dir, "overrun.log")
      const registry = new Registry()
      const s = await makeScheduler(`* * * * * slow 1h fake ${marker} 2500 0`, "box-a", registry)
      await s.runDue(new Date("2026-03-02T10:00:30Z"))
      const first = s.runDue(new Date("2026-03-02T10:01:00Z"))
      // Wait until the first run's child has started, then the next minute comes while it runs.
      while (markerLines(marker).length === 0) await Bun.sleep(20)
      const second = await s.runDue(new Date("2026-03-02T10:02:00Z"))
      expect(second).toEqual([{ job: "slow", slot: new Date("2026-03-02T10:02:00Z"), started: false, reason: "overrun" }])
      const [report] = await first
      expect(report).toMatchObject({ job: "slow", started: true, outcome: "success", exitCode: 0 })
      expect(markerLines(marker).map((l) => l.split(" ")[0])).toEqual(["start", "end"])
      const text = await registry.metrics()
      expect(text).toContain('scheduler_job_skipped_runs_total{job="slow",reason="overrun"} 1')
      expect(text).toContain('scheduler_job_runs_total{job="slow",outcome="success"} 1')
      expect(text).toMatch(/scheduler_job_last_success_timestamp_seconds\{job="slow"\} \d+/)
      expect(text).toContain('scheduler_job_last_outcome{job="slow",outcome="success"} 1')
    },
    SLOW,
  )

  test(
    "a timeout ends the job: SIGTERM, then SIGKILL for a job that ignores it; the outcome is recorded",
    async () => {
      const marker = join(dir, "timeout.log")
      const s = await makeScheduler(`* * * * * stuck 1s fake ${marker} 30000 0 ignore-term`, "box-a", new Registry(), 300)
      await s.runDue(new Date("2026-03-03T10:00:30Z"))
      const [report] = await s.runDue(new Date("2026-03-03T10:01:00Z"))
      expect(report).toMatchObject({ job: "stuck", started: true, outcome: "timeout", exitCode: null })
      const lines = markerLines(marker).map((l) => l.split(" ")[0])
      expect(lines).toEqual(["start", "term"])
      const [row] = await db.sql`select last_outcome, last_success_at from ops.scheduled_job where job = 'stuck'`
      expect(row).toEqual({ last_outcome: "timeout", last_success_at: null })
    },
    SLOW,
  )

  test(
    "a failing step ends its chain with the step's exit code",
    async () => {
      const marker = join(dir, "chain.log")
      const s = await makeScheduler(`* * * * * chain 1m fake ${marker} 10 3 && fake ${marker} 10 0`, "box-a")
      await s.runDue(new Date("2026-03-04T10:00:30Z"))
      const [report] = await s.runDue(new Date("2026-03-04T10:01:00Z"))
      expect(report).toMatchObject({ started: true, outcome: "failure", exitCode: 3, steps: 1 })
      expect(markerLines(marker)).toHaveLength(2)
    },
    SLOW,
  )

  test(
    "stop() interrupts a running job and waits for it",
    async () => {
      const marker = join(dir, "stop.log")
      const s = await makeScheduler(`* * * * * long 1h fake ${marker} 30000 0`, "box-a")
      await s.runDue(new Date("2026-03-05T10:00:30Z"))
      const run = s.runDue(new Date("2026-03-05T10:01:00Z"))
      while (markerLines(marker).length === 0) await Bun.sleep(20)
      await s.stop()
      const [report] = await run
      expect(report).toMatchObject({ started: true, outcome: "interrupted" })
      expect(await s.runDue(new Date("2026-03-05T10:02:00Z"))).toEqual([])
    },
    SLOW,
  )

  test(
    "a lost lock (the connection holding it is gone) ends the run rather than let another scheduler overlap it",
    async () => {
      const marker = join(dir, "lost.log")
      const s = await makeScheduler(`* * * * * fragile 1h fake ${marker} 30000 0`, "box-a", new Registry(), 5_000, 100)
      await s.runDue(new Date("2026-03-06T10:00:30Z"))
      const run = s.runDue(new Date("2026-03-06T10:01:00Z"))
      while (markerLines(marker).length === 0) await Bun.sleep(20)
      // The database drops the session that holds the job's lock.
      await db.sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and classid = ${0x52484a42}::int::oid and granted`
      const [report] = await run
      expect(report).toMatchObject({ job: "fragile", started: true, outcome: "interrupted" })
      expect(markerLines(marker).map((l) => l.split(" ")[0])).toEqual(["start"])
    },
    SLOW,
  )

  test(
    "a real tool as a job: the child gets the scheduler's settings (database included) and its exit code is the outcome",
    async () => {
      const sql = createSql(db.url, { max: 2 })
      pools.push(sql)
      const config = loadConfig(["shared"], { DATABASE_URL: db.url, LOG_LEVEL: "warn" })
      const s = await createScheduler({
        entries: parseSchedule(
          "0 17 * * * wf 2m update-wfr-scores --dry-run && update-wfr-scores\n0 18 * * * broken 2m update-wfr-scores --bogus\n",
        ),
        sql,
        openSession: () => createSql(db.url, { max: 1 }),
        log: quiet,
        registry: new Registry(),
        host: "box-a",
        commandOf: (step) => [process.execPath, TOOL_MAIN, ...step],
        // Nothing of the test runner's environment but PATH: the settings come from the config.
        childEnv: childEnvOf(config, { PATH: process.env.PATH }, db.url),
        cwd: REPO_ROOT,
        killGraceMs: 5_000,
        stdio: "ignore",
      })
      await s.runDue(new Date("2026-03-07T16:00:00Z"))
      const reports = await s.runDue(new Date("2026-03-07T18:00:00Z"))
      const byJob = new Map(reports.map((r) => [r.job, r]))
      expect(byJob.get("wf")).toMatchObject({ started: true, outcome: "success", exitCode: 0, steps: 2 })
      expect(byJob.get("broken")).toMatchObject({ started: true, outcome: "failure", exitCode: 2 })
    },
    SLOW,
  )

  test(
    "every refresh-view and update-wfr-scores step of ops/schedule runs on a migrated database",
    async () => {
      const entries = parseSchedule(readFileSync(join(REPO_ROOT, "ops/schedule"), "utf8"))
      const steps = entries.flatMap((e) => e.steps).filter((step) => step[0] === "refresh-view" || step[0] === "update-wfr-scores")
      expect(steps.length).toBeGreaterThanOrEqual(6)
      for (const [name, ...args] of steps) {
        const tool = await TOOLS.find((t) => t.name === name)!.load()
        const errors: string[] = []
        const code = await tool.run(args, { out: () => {}, err: (l) => errors.push(l), env: { DATABASE_URL: db.url, LOG_LEVEL: "silent" } })
        expect({ step: [name, ...args].join(" "), code, errors }).toEqual({ step: [name, ...args].join(" "), code: 0, errors: [] })
      }
    },
    SLOW,
  )
})

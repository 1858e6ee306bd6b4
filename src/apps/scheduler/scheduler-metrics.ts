/** The scheduler's series on SCHEDULER_METRICS_PORT, per job. */
import type { MetricTable } from "../../lib/monitoring/metric-table.ts"

export const SCHEDULER_METRICS = {
  runs: {
    kind: "counter",
    name: "scheduler_job_runs_total",
    help: "Job runs by outcome (success, failure, timeout, interrupted).",
    labels: ["job", "outcome"],
  },
  skipped: {
    kind: "counter",
    name: "scheduler_job_skipped_runs_total",
    help: "Scheduled runs not started: overrun (the previous run still going), locked (another scheduler runs it), alreadyRan (another scheduler ran this slot), missed (slots passed while suspended), error.",
    labels: ["job", "reason"],
  },
  lastSuccess: {
    kind: "gauge",
    name: "scheduler_job_last_success_timestamp_seconds",
    help: "When the job last finished successfully (Unix seconds; from the database at start, so it survives restarts).",
    labels: ["job"],
  },
  lastDuration: {
    kind: "gauge",
    name: "scheduler_job_last_duration_seconds",
    help: "Duration of the job's last run.",
    labels: ["job"],
  },
  lastOutcome: {
    kind: "gauge",
    name: "scheduler_job_last_outcome",
    help: "1 for the outcome of the job's last run, 0 for the others.",
    labels: ["job", "outcome"],
  },
  running: {
    kind: "gauge",
    name: "scheduler_job_running",
    help: "1 while this scheduler runs the job.",
    labels: ["job"],
  },
  nextRun: {
    kind: "gauge",
    name: "scheduler_job_next_run_timestamp_seconds",
    help: "The job's next fire time (Unix seconds).",
    labels: ["job"],
  },
} as const satisfies MetricTable

export const OUTCOMES = ["success", "failure", "timeout", "interrupted"] as const
export type RunOutcome = (typeof OUTCOMES)[number]
export type SkipReason = "overrun" | "locked" | "alreadyRan" | "missed" | "error"

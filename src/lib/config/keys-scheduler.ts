/** Settings of the scheduler, which runs the jobs. Flags drop the SCHEDULER_ prefix (`--metrics-port`). */
import type { ValueSpec } from "./value-spec.ts"

export const SCHEDULER_KEYS = {
  SCHEDULER_METRICS_PORT: {
    type: "port",
    default: 8083,
    off: true,
    description: "Port of the scheduler's /metrics and /healthz (read-only: nothing can be triggered over HTTP).",
  },
  SCHEDULER_SCHEDULE_FILE: {
    type: "string",
    default: "ops/schedule",
    description: "The crontab-style schedule (UTC) to run, relative to the repository root unless absolute.",
  },
  SCHEDULER_KILL_GRACE_SECONDS: {
    type: "int",
    default: 30,
    min: 1,
    max: 600,
    description: "After a job's timeout (or on shutdown) it gets SIGTERM, then SIGKILL this many seconds later.",
  },
} as const satisfies Record<string, ValueSpec>

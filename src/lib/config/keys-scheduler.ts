/** Settings of the scheduler, which runs the jobs. Flags drop the SCHEDULER_ prefix (`--metrics-port`). */
import type { ValueSpec } from "./value-spec.ts"

export const SCHEDULER_KEYS = {
  SCHEDULER_METRICS_PORT: {
    type: "port",
    default: 8083,
    off: true,
    description: "Port of the scheduler's /metrics and /healthz.",
  },
} as const satisfies Record<string, ValueSpec>

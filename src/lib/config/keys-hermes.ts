/** Settings of hermes, the queue-worker manager. Flags drop the HERMES_ prefix (`--metrics-port`). */
import type { ValueSpec } from "./value-spec.ts"

export const HERMES_KEYS = {
  HERMES_METRICS_PORT: {
    type: "port",
    default: 8081,
    off: true,
    description: "Port of hermes's /metrics and /healthz.",
  },
} as const satisfies Record<string, ValueSpec>

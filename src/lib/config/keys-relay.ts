/** Settings of the standalone outbox relay (`bun run relay`). Flags drop the RELAY_ prefix (`--metrics-port`). */
import type { ValueSpec } from "./value-spec.ts"

export const RELAY_KEYS = {
  RELAY_METRICS_PORT: {
    type: "port",
    default: 8084,
    off: true,
    description: "Port of the standalone relay's /metrics and /healthz.",
  },
} as const satisfies Record<string, ValueSpec>

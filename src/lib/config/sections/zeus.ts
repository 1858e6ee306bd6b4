/** Settings of zeus, the Bungie egress proxy. Flags drop the ZEUS_ prefix (`--port`). */
import type { ValueSpec } from "../value-spec.ts"

export const ZEUS_KEYS = {
  ZEUS_PORT: {
    type: "port",
    default: 7777,
    description: "Port zeus serves its proxied Bungie API on (clients reach it through ZEUS_URL).",
  },
  ZEUS_METRICS_PORT: {
    type: "port",
    default: 8082,
    off: true,
    description: "Port of zeus's /metrics and /healthz.",
  },
  ZEUS_SOURCE_ADDRESSES: {
    type: "ipList",
    default: [],
    description: "Local IP addresses zeus sends Bungie requests from, one adaptive bucket each. Empty: the default route.",
  },
} as const satisfies Record<string, ValueSpec>

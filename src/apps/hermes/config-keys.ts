/**
 * Hermes's configuration keys, shaped like the entries of src/lib/config.ts's CONFIG_TABLE (type,
 * default, limits, description) so they move into the hermes section of the shared config as they
 * are. Until then config.ts (next to this file) reads them. HERMES_METRICS_PORT, RABBITMQ_URL,
 * DATABASE_URL and the Bungie keys already live in the shared table.
 */
import type { ConfigSpec } from "../../lib/config.ts"

export const HERMES_CONFIG_KEYS = {
  HERMES_QUEUES: {
    type: "string",
    default: null,
    pattern: /^[a-z_]+(,[a-z_]+)*$/,
    patternHint: "comma-separated queue names (src/lib/messaging/queues.ts)",
    description: "Queues hermes consumes (comma-separated). Empty: every queue that has a worker. --queue NAME (repeatable) wins.",
  },
  HERMES_RELAYS: {
    type: "boolean",
    default: true,
    description: "Host the outbox relays (Postgres outbox → RabbitMQ) in hermes, so side effects flow while atlas is stopped.",
  },
  HERMES_SCALE_INTERVAL_MS: {
    type: "int",
    default: 5_000,
    min: 500,
    max: 60_000,
    description: "How often each queue's depth is sampled and its worker count reconsidered (ms).",
  },
  HERMES_SETTINGS_INTERVAL_MS: {
    type: "int",
    default: 30_000,
    min: 1_000,
    max: 600_000,
    description: "How often Bungie Settings (system availability) are read; every 5 s while a system is disabled.",
  },
  HERMES_MAX_CONCURRENCY: {
    type: "int",
    default: 32,
    min: 1,
    max: 1_024,
    description: "Most Bungie requests hermes has in flight (its own limiter; not used through zeus).",
  },
  HERMES_SOURCE_ADDRESSES: {
    type: "ipList",
    default: [],
    description: "Local IP addresses hermes sends Bungie requests from, one rate bucket each. Empty: default route. Do not share atlas's.",
  },
  SERVICE_WAIT_SECONDS: {
    type: "int",
    default: 30,
    min: 0,
    max: 3_600,
    description: "How long a long-running app retries Postgres and RabbitMQ at start-up before exiting 2 (moves to the shared section).",
  },
} as const satisfies Record<string, ConfigSpec>

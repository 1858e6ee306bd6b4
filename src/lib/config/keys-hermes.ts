/** Settings of hermes, the queue-worker manager. Flags drop the HERMES_ prefix (`--metrics-port`, `--queues`). */
import type { ValueSpec } from "./value-spec.ts"

export const HERMES_KEYS = {
  HERMES_METRICS_PORT: {
    type: "port",
    default: 8081,
    off: true,
    description: "Port of hermes's /metrics and /healthz.",
  },
  HERMES_QUEUES: {
    type: "list",
    default: [],
    pattern: /^[a-z_]+$/,
    patternHint: "queue names (docs/hermes.md)",
    description: "Queues hermes consumes. Empty: every queue that has a worker. The run flag --queue NAME (repeatable) adds to it.",
  },
  HERMES_RELAYS: {
    type: "boolean",
    default: true,
    description:
      "Host the outbox relays (Postgres outbox → RabbitMQ), so side effects flow while atlas is stopped. --no-relays turns them off.",
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
    description: "Most Bungie requests hermes has in flight with its own limiter (not used through zeus).",
  },
  HERMES_SOURCE_ADDRESSES: {
    type: "ipList",
    default: [],
    description:
      "Local IP addresses hermes sends Bungie requests from, one rate bucket each, when ZEUS_URL is unset. Empty: default route. Never atlas's.",
  },
  HERMES_DISCORD_API_URL: {
    type: "url",
    default: "https://discord.com/api/v10",
    protocols: ["http:", "https:"],
    description: "Discord's API base for subscription webhooks (<base>/webhooks/<id>/<token>). Changed only to test against a stand-in.",
  },
  HERMES_SUBSCRIPTION_CALLBACK_KEY: {
    type: "secret",
    default: null,
    description:
      "Sent as X-RaidHub-Key on every subscription HTTP callback (the original's scheme). Empty: none; callbacks are still HMAC-signed per destination. Never logged.",
  },
} as const satisfies Record<string, ValueSpec>

/**
 * Settings every app and tool reads: databases, broker, Bungie, logging, data directory and the
 * start-up wait for services. Their flags are the key in kebab case (`--database-url`).
 */
import type { ValueSpec } from "./value-spec.ts"

export const SHARED_KEYS = {
  DATABASE_URL: {
    type: "url",
    default: null,
    protocols: ["postgres:", "postgresql:"],
    description: "Postgres connection URL. Empty: run an embedded Postgres under DATA_DIR/postgres.",
  },
  EMBEDDED_POSTGRES_PORT: {
    type: "int",
    default: 54329,
    min: 1,
    max: 65535,
    description: "Port of the embedded Postgres (used only when DATABASE_URL is empty; listens on 127.0.0.1).",
  },
  CLICKHOUSE_URL: {
    type: "url",
    default: null,
    protocols: ["http:", "https:"],
    description: "ClickHouse HTTP URL (http://user:password@host:8123). Empty: embedded chdb under DATA_DIR/clickhouse.",
  },
  CLICKHOUSE_DATABASE: {
    type: "string",
    default: "raidhub",
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    patternHint: "a ClickHouse identifier (letters, digits, _)",
    description: "ClickHouse database holding the instance table and rollups (created when missing).",
  },
  RABBITMQ_URL: {
    type: "url",
    default: null,
    protocols: ["amqp:", "amqps:"],
    description: "RabbitMQ URL (amqp://guest:guest@127.0.0.1:5672). Empty: messages wait in the outbox.",
  },
  BUNGIE_API_KEY: {
    type: "secret",
    default: null,
    description: "Bungie API key (X-API-Key). Never logged. Not needed with --sim.",
  },
  BUNGIE_BASE_URL: {
    type: "url",
    default: "https://stats.bungie.net",
    protocols: ["http:", "https:"],
    description: "Base URL for PGCR requests (stats host); point at the simulator or a proxy to redirect.",
  },
  BUNGIE_WWW_BASE_URL: {
    type: "url",
    default: "https://www.bungie.net",
    protocols: ["http:", "https:"],
    description: "Base URL for every other Bungie endpoint (profiles, histories, groups, manifest, settings).",
  },
  ZEUS_URL: {
    type: "url",
    default: null,
    protocols: ["http:", "https:"],
    description: "Zeus, the Bungie egress proxy. When set, clients send their Bungie calls through it instead of the BUNGIE_* URLs.",
  },
  DATA_DIR: {
    type: "string",
    default: "./.data",
    description: "Directory for embedded Postgres and ClickHouse data.",
  },
  LOG_LEVEL: {
    type: "enum",
    values: ["debug", "info", "warn", "error", "silent"],
    default: "info",
    description: "Lowest log level written (JSON lines on stderr). -v / --verbose sets debug.",
  },
  SERVICE_WAIT_SECONDS: {
    type: "int",
    default: 30,
    min: 0,
    max: 3600,
    description: "How long a long-running app retries an unreachable Postgres or RabbitMQ at start-up before it exits 2 (tools try once).",
  },
} as const satisfies Record<string, ValueSpec>

/**
 * Settings of zeus, the Bungie egress proxy. Flags drop the ZEUS_ prefix (`--port`,
 * `--source-addresses`). Structured values (networks, weights) are checked here by pattern and
 * parsed by zeus at start-up, where a bad one is a one-line configuration error too.
 */
import type { ValueSpec } from "./value-spec.ts"

/** Comma-separated CIDR blocks or single addresses (IPv4 or IPv6). */
export const NETWORK_LIST_PATTERN = /^\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*)*$/
/** Comma-separated `tag=weight` pairs. */
export const WEIGHTS_PATTERN = /^\s*[A-Za-z0-9._:/-]+\s*=\s*\d+(\.\d+)?\s*(,\s*[A-Za-z0-9._:/-]+\s*=\s*\d+(\.\d+)?\s*)*$/

export const ZEUS_KEYS = {
  ZEUS_PORT: {
    type: "port",
    default: 7777,
    description: "Port zeus serves its proxied Bungie API on (clients reach it through ZEUS_URL; 0 = any free port).",
  },
  ZEUS_METRICS_PORT: { type: "port", default: 8082, off: true, description: "Port of zeus's /metrics and /healthz." },
  ZEUS_LISTEN_ADDRESS: {
    type: "string",
    default: "0.0.0.0",
    description: "Local address the proxy listens on; who may use it is ZEUS_ALLOWED_NETWORKS.",
  },
  ZEUS_SOURCE_ADDRESSES: {
    type: "ipList",
    default: [],
    description:
      "Comma-separated local IP addresses zeus sends Bungie requests from, one adaptive bucket each (an IPv6 block on a real box). Empty: the default route, one bucket. Never the same as atlas's addresses.",
  },
  ZEUS_ALLOWED_NETWORKS: {
    type: "string",
    default: "127.0.0.0/8,::1/128",
    pattern: NETWORK_LIST_PATTERN,
    patternHint: "comma-separated CIDR blocks, e.g. 127.0.0.0/8,10.0.0.0/8,::1/128",
    description: "Networks whose requests zeus serves (comma-separated CIDR blocks); everyone else gets 403. No open proxy.",
  },
  ZEUS_QUEUE_DEADLINE_MS: {
    type: "int",
    default: 10_000,
    min: 100,
    max: 120_000,
    description:
      "Longest a request waits in zeus's queue before it is answered 503 ZeusQueueTimeout (a caller may ask for less with x-raidhub-deadline-ms).",
  },
  ZEUS_MAX_QUEUE: {
    type: "int",
    default: 10_000,
    min: 1,
    max: 1_000_000,
    description: "Most requests waiting in zeus's queue; beyond it the longest backlog loses its newest request (ZeusQueueFull).",
  },
  ZEUS_MAX_CONCURRENCY: {
    type: "int",
    // 16 addresses x 25 req/s at ~0.3 s per answer is ~120 in flight: room for a full block.
    default: 256,
    min: 1,
    max: 4096,
    description: "Most requests zeus has in flight to Bungie (the limiter's latency control may use fewer).",
  },
  ZEUS_UPSTREAM_TIMEOUT_MS: {
    type: "int",
    default: 12_000,
    min: 100,
    max: 120_000,
    description: "Whole exchange budget for one request to Bungie (connect, headers, body).",
  },
  ZEUS_THROTTLE_RETRIES: {
    type: "int",
    default: 2,
    min: 0,
    max: 5,
    description:
      "Times zeus sends a request again from another address after a per-address throttle (51, 429, Cloudflare page) before passing the throttle on.",
  },
  ZEUS_CLIENT_WEIGHTS: {
    type: "string",
    default: null,
    pattern: WEIGHTS_PATTERN,
    patternHint: "comma-separated tag=weight pairs, e.g. atlas=4,hermes=1",
    description:
      "Weighted fair share between callers (x-raidhub-client tags): tag=weight pairs; a tag also matches its sub-tags (hermes matches hermes/player_crawl). Unlisted callers weigh 1.",
  },
  ZEUS_CONTACT: {
    type: "string",
    default: "https://raidhub.io",
    description: "Contact in the User-Agent zeus sends to Bungie (a URL or e-mail address).",
  },
} as const satisfies Record<string, ValueSpec>

/**
 * The command lines of the long-running apps: the sections each reads and its run flags. Kept
 * here, beside the sections, so --help, the generated docs (docs/configuration.md) and the apps
 * all read one definition; an app's entry point imports its spec from here.
 */
import type { CommandSpec } from "./command-spec.ts"

export const ATLAS_COMMAND = {
  name: "atlas",
  usage: "bun run atlas [flags]",
  summary:
    "Crawls Destiny 2 PGCRs by instance id and stores the raids in Postgres (ClickHouse and RabbitMQ through the outbox). " +
    "Follows the frontier until stopped (SIGINT/SIGTERM: drain, checkpoint, exit 0), or with --from/--to exits 0 once the range is resolved.",
  sections: ["shared", "atlas"],
  flags: {
    from: {
      type: "id",
      default: null,
      description:
        "First id to crawl. Default: resume from the checkpoint; else 10,000 behind the newest stored raid; else search the frontier and start 2,000 behind it.",
    },
    to: {
      type: "id",
      default: null,
      description:
        "Last id of a bounded backfill (needs --from): exit 0 once every id of [from, to] is resolved. Keeps its own checkpoint <crawler>:<from>-<to>.",
    },
    sim: {
      type: "boolean",
      default: false,
      description: "Start the Bungie simulator in-process and crawl it (no BUNGIE_API_KEY needed).",
    },
    simSeed: {
      type: "int",
      default: 1,
      min: 0,
      max: 2147483647,
      description: "Simulator seed, with --sim.",
    },
    simScenario: {
      type: "enum",
      values: ["calm", "realistic", "hostile", "backfill"],
      default: "realistic",
      description: "Simulator scenario, with --sim.",
    },
    viaZeus: {
      type: "boolean",
      default: false,
      description:
        "Send every Bungie request through zeus (ZEUS_URL), which owns every source address and the API key; atlas then has no addresses of its own.",
    },
    crawler: {
      type: "string",
      default: "atlas",
      pattern: /^[a-z0-9][a-z0-9_-]{0,62}$/i,
      patternHint: "a short name of letters, digits, - and _",
      description: "Checkpoint name, so several crawls (e.g. a backfill box) keep separate low-water marks.",
    },
  },
  notes:
    "Against a simulator or proxy running elsewhere: BUNGIE_BASE_URL=http://127.0.0.1:5370 BUNGIE_API_KEY=... bun run atlas\n" +
    "A bounded backfill: bun run atlas --sim --sim-scenario backfill --from 17199300000 --to 17199319999",
} as const satisfies CommandSpec

export const HERMES_COMMAND = {
  name: "hermes",
  usage: "bun run hermes [--queue NAME ...] [flags]",
  summary:
    "Consumes the RabbitMQ work queues with their workers (one autoscaled consumer pool per queue), watches Bungie availability per " +
    "system, hosts the outbox relays, and serves /metrics. Needs RABBITMQ_URL; Postgres from DATABASE_URL (else the embedded " +
    "server under DATA_DIR). Bungie calls go through zeus when ZEUS_URL is set. SIGINT/SIGTERM: stop consuming, finish what is " +
    "in flight, exit 0 (docs/hermes.md).",
  sections: ["shared", "hermes"],
  flags: {
    queue: {
      type: "list",
      default: [],
      pattern: /^[a-z_]+$/,
      patternHint: "queue names",
      description: "Consume this queue (repeatable; with HERMES_QUEUES, the union). Default: every queue with a worker.",
    },
    noRelays: { type: "boolean", default: false, description: "Do not host the outbox relays (as HERMES_RELAYS=false)." },
  },
} as const satisfies CommandSpec

export const ZEUS_COMMAND = {
  name: "zeus",
  usage: "bun run zeus [flags]",
  summary:
    "The Bungie egress proxy: callers send GET http://zeus:7777/Platform/... with an x-raidhub-client tag; zeus adds the API key, " +
    "shares each source address's adaptive rate limit fairly between callers, and relays Bungie's answer (docs/zeus.md).",
  sections: ["shared", "zeus"],
  flags: {},
} as const satisfies CommandSpec

export const SCHEDULER_COMMAND = {
  name: "scheduler",
  usage: "bun run scheduler [flags]",
  summary:
    "Runs the jobs of the schedule (SCHEDULER_SCHEDULE_FILE, crontab-style, UTC) as child processes (`bun run tool <job>`), " +
    "each with its timeout and never two runs of one job at once, also across boxes (a Postgres advisory lock per job). " +
    "An overrun is skipped and counted. /metrics and /healthz on SCHEDULER_METRICS_PORT; a job is run by hand with `bun run tool <job>`.",
  sections: ["shared", "scheduler"],
  flags: {
    check: {
      type: "boolean",
      default: false,
      description: "Validate the schedule (cron fields, timeouts, tool names), print each job with its next run, and exit.",
    },
  },
} as const satisfies CommandSpec

export const RELAY_COMMAND = {
  name: "relay",
  usage: "bun run relay [flags]",
  summary:
    "Relays the transactional outbox on its own: rows to ClickHouse, and to RabbitMQ when RABBITMQ_URL is set. " +
    "Atlas runs the same relays in a thread and hermes hosts them by default; this is for deployments that want them apart.",
  sections: ["shared", "relay"],
  flags: {},
} as const satisfies CommandSpec

/** Every long-running app, in the order the docs list them. */
export const APP_COMMANDS: readonly CommandSpec[] = [ATLAS_COMMAND, HERMES_COMMAND, ZEUS_COMMAND, SCHEDULER_COMMAND, RELAY_COMMAND]

/** Settings of atlas, the PGCR crawler. Flags drop the ATLAS_ prefix (`--fetchers`). */
import type { ValueSpec } from "./value-spec.ts"

export const ATLAS_KEYS = {
  ATLAS_FETCHERS: {
    type: "int",
    // One thread is far more than Bungie's per-address limits let a box request (all of Atlas
    // costs ~0.4 ms of CPU per PGCR in the backfill bench, so one core would drive ~2,500/s); a
    // second costs its own JS heap (~25 MB RSS) and JIT/GC work: with one, the backfill bench
    // spends ~20 % less CPU per PGCR and the memory bench peaks ~15 MB lower (bench/README.md).
    default: 1,
    min: 1,
    max: 64,
    description: "Fetcher Worker threads.",
  },
  ATLAS_MAX_CONCURRENCY: {
    type: "int",
    default: 64,
    min: 1,
    max: 4096,
    description: "Most concurrent PGCR requests over all fetchers (the limiter's latency-following concurrency stays below it).",
  },
  ATLAS_SOURCE_ADDRESSES: {
    type: "ipList",
    default: [],
    description:
      "Local IP addresses to send Bungie requests from, one rate bucket each (an IPv6 block in production). Empty: the default route; with --sim, 127.0.0.1-127.0.0.8.",
  },
  ATLAS_BATCH_SIZE: {
    type: "int",
    default: 500,
    min: 1,
    max: 100000,
    description: "pg-writer: most instances per write transaction.",
  },
  ATLAS_BATCH_MAX_MS: {
    type: "int",
    default: 250,
    min: 1,
    max: 60000,
    description:
      "pg-writer: longest wait (ms) before a partial batch is written; also the least time between two such writes (an item after a quiet interval waits only 20 ms).",
  },
  ATLAS_TARGET_404_SHARE: {
    type: "number",
    default: 0.025,
    min: 0,
    max: 0.5,
    description: "Share of not-found answers (1653/404) among first tries that the frontier controller aims for.",
  },
  ATLAS_LATE_PUBLICATION_WINDOW_S: {
    type: "int",
    default: 900,
    min: 0,
    max: 86400,
    description:
      "Longest Bungie publishes a PGCR after the ids around it (s). A dead block found by the forward search is recorded as a gap only once the ids past it are older than this; until then it is held unresolved and searched again.",
  },
  ATLAS_HEAP_TRIM_S: {
    type: "number",
    // Each JS thread's collector frees on its own schedule, so without a trim Atlas's RSS is a
    // sawtooth 20-40 MB high that rises and falls by the minute; with one every 10 s a following
    // crawl stays within ~20 MB, for ~0.12-0.16 of a core. A busy thread (a backfill's fetcher)
    // skips its turn: recompiling the dropped code would cost it 40-60 % more CPU per PGCR
    // (src/lib/runtime/heap-trim.ts; bench/README.md, "Seventh part").
    default: 10,
    min: 0,
    max: 3600,
    description:
      "Every this many seconds each Atlas thread trims its heap (a full collection; compiled code is dropped and free memory returned to the system), unless that thread used more than 0.2 of a core since its previous turn. 0: never.",
  },
  ATLAS_FLEET: {
    type: "boolean",
    default: false,
    description:
      "Run as one of several atlas processes sharing the crawler's id space through Postgres leases (crawl.id_range_lease): each leases ranges and crawls them; one (the leader) follows the head. --fleet.",
  },
  ATLAS_FLEET_LEASE_S: {
    type: "number",
    default: 30,
    min: 0.2,
    max: 3600,
    description:
      "Fleet: lease period (s). A dead process's ranges and leader lease are taken over this long after its last heartbeat (heartbeats every third of it).",
  },
  ATLAS_FLEET_MAX_RANGE: {
    type: "int",
    default: 20_000,
    min: 10,
    max: 10_000_000,
    description:
      "Fleet: ids in a range leased far behind the head (near the head ranges shrink to a 40th of it, at least 10). Smaller spreads a bounded backfill over more processes.",
  },
  ATLAS_METRICS_PORT: {
    type: "port",
    default: 8080,
    off: true,
    description: "Port of atlas's /metrics and /healthz.",
  },
} as const satisfies Record<string, ValueSpec>

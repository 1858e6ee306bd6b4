/**
 * The tools `bun run tool` knows. Each entry names its module and says what it does in one line;
 * modules load lazily, so `--help` and small tools never pull in database drivers they do not use.
 * registry.test.ts checks that every module's own name and description match this table.
 */
import type { Tool } from "./tool.ts"

export interface ToolEntry {
  name: string
  description: string
  load(): Promise<Tool>
}

export const TOOLS: readonly ToolEntry[] = [
  {
    name: "migrate",
    description: "Apply Postgres and ClickHouse migrations, views and seeds (same as `bun run migrate`).",
    load: async () => {
      // migrate.ts predates this runner and exposes runMigrateTool; adapt it to the Tool contract.
      const m = await import("./migrate.ts")
      return {
        name: "migrate",
        description: "Apply Postgres and ClickHouse migrations, views and seeds (same as `bun run migrate`).",
        usage: m.MIGRATE_HELP,
        run: (argv, io) => m.runMigrateTool(argv, io.env, io.out, io.err),
      }
    },
  },
  {
    name: "dead-letters",
    description: "List the messages parked in <queue>.dead with their reasons; --requeue moves them back.",
    load: async () => (await import("./dead-letters.ts")).tool,
  },
  {
    name: "process-single-pgcr",
    description: "Fetch or read one PGCR, process it, and store it (or print it with --dry-run).",
    load: async () => (await import("./process-single-pgcr.ts")).tool,
  },
  {
    name: "process-missed-pgcrs",
    description: "hades: replay the missed-PGCR ledger (ids due for retry; --gap around gap ranges).",
    load: async () => (await import("./process-missed-pgcrs.ts")).tool,
  },
  {
    name: "fix-sherpa-clears",
    description: "bob: recompute first clears, sherpas, player stats and totals; report the differences fixed.",
    load: async () => (await import("./fix-sherpa-clears.ts")).tool,
  },
  {
    name: "manifest",
    description: "athena: load weapons and raid feats from the current Manifest (skips a version already loaded).",
    load: async () => (await import("./manifest.ts")).tool,
  },
  {
    name: "leaderboard-clan-crawl",
    description: "hera: clans of the leaderboards' top players to clan_crawl, then refresh the clan leaderboard.",
    load: async () => (await import("./leaderboard-clan-crawl.ts")).tool,
  },
  {
    name: "activity-history-scan",
    description: "pan: enqueue activity histories of top players not crawled for 180 days.",
    load: async () => (await import("./activity-history-scan.ts")).tool,
  },
  {
    name: "activity-history-update",
    description: "Enqueue the activity history of given players (ids or --file) to activity_history, or crawl it here (--run).",
    load: async () => (await import("./activity-history-update.ts")).tool,
  },
  {
    name: "update-wfr-scores",
    description: "Recompute core.player.wfr_score from the world-first contest leaderboard.",
    load: async () => (await import("./update-wfr-scores.ts")).tool,
  },
  {
    name: "fix-malformed-pgcrs",
    description: "Re-fetch listed PGCRs and replace the stored instances, reverting their old aggregates first.",
    load: async () => (await import("./fix-malformed-pgcrs.ts")).tool,
  },
  {
    name: "flag-restricted-pgcrs",
    description: "Flag and blacklist the instances of an activity hash whose PGCRs Bungie still withholds (code 12).",
    load: async () => (await import("./flag-restricted-pgcrs.ts")).tool,
  },
  {
    name: "cheat-check",
    description: "Run the cheat check on one instance (stored, or a PGCR file) and print the verdict as JSON; writes nothing.",
    load: async () => (await import("./cheat-check.ts")).tool,
  },
  {
    name: "nemesis",
    description: "nemesis: raise cheat levels from recent flags and profiles, recheck level-3+ players' runs, cascade level-4 blacklists.",
    load: async () => (await import("./nemesis.ts")).tool,
  },
  {
    name: "clear-flags",
    description: "Delete cheat flags by bitmask and date, and the CheatCheck blacklists they caused (--dry-run to count).",
    load: async () => (await import("./clear-flags.ts")).tool,
  },
  {
    name: "clear-player",
    description: "Clear a player's cheat flags, the cascade blacklists they caused and their level (--whitelist, --dry-run).",
    load: async () => (await import("./clear-player.ts")).tool,
  },
  {
    name: "update-skull-hashes",
    description: "Back-fill core.instance.skull_hashes from raw PGCRs for an activity hash and id range.",
    load: async () => (await import("./update-skull-hashes.ts")).tool,
  },
  {
    name: "log-raw-pgcr",
    description: "Print the stored raw PGCR of an instance, decoded.",
    load: async () => (await import("./log-raw-pgcr.ts")).tool,
  },
  {
    name: "seed",
    description: "Load the definitions seeds (sql/seeds) into Postgres; idempotent.",
    load: async () => (await import("./seed.ts")).tool,
  },
  {
    name: "config",
    description: "Print the effective configuration, or regenerate .env.example and docs/configuration.md (--write).",
    load: async () => (await import("./config.ts")).tool,
  },
  {
    name: "refresh-view",
    description: "Refresh materialized views in dependency order, caches first, concurrently where possible.",
    load: async () => (await import("./refresh-view.ts")).tool,
  },
  {
    name: "convert-raw-pgcr",
    description: "Convert raw.pgcr rows stored as zstd into the gzip Response JSON the public API reads (resumable batches).",
    load: async () => (await import("./convert-raw-pgcr.ts")).tool,
  },
  {
    name: "status",
    description: "Print the crawler's status (lag, caught up or ETA, 404 share, Bungie, low-water mark) from atlas or Prometheus.",
    load: async () => (await import("./status.ts")).tool,
  },
  {
    name: "sync-clickhouse-definitions",
    description: "Copy weapon definitions from Postgres into ClickHouse's weapon_definition (the API's weapon-meta join).",
    load: async () => (await import("./sync-clickhouse-definitions.ts")).tool,
  },
  {
    name: "subscription-onboard",
    description: "Subscribe a Discord webhook or an HTTP callback to raids of players and/or clans (the public API's rows).",
    load: async () => (await import("./subscription-onboard.ts")).tool,
  },
  {
    name: "replay-subscription-instance",
    description: "Re-inject a stored instance into the subscription pipeline (its destinations receive it again, once).",
    load: async () => (await import("./replay-subscription-instance.ts")).tool,
  },
]

export function findTool(name: string): ToolEntry | undefined {
  return TOOLS.find((t) => t.name === name)
}

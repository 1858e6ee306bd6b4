/**
 * `bun run tool manifest` (athena; ops/schedule: every 5 min at 17:00 UTC, 15 min at 18:00,
 * otherwise every 4 h): loads weapons and raid feats from the current Manifest, skipping a
 * version already loaded. See src/apps/athena/load-manifest.ts.
 */

import { loadManifest } from "../apps/athena/load-manifest.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { createJobBungie } from "../lib/jobs/job-bungie.ts"
import { openJobPostgres } from "../lib/jobs/job-postgres.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "manifest"

const MANIFEST_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--force] [--dry-run]`,
  summary:
    "athena: fetches the Destiny Manifest, downloads its SQLite content (cache-busted), and reloads definitions.weapon_definition and " +
    "the raids' feats (activity_feat_definition) from it. A version already loaded is skipped.",
  sections: ["shared"],
  flags: {
    force: { type: "boolean", default: false, description: "Load the current version even when it was loaded before." },
    dryRun: { type: "boolean", default: false, description: "Download and read the definitions, print the counts; write nothing." },
  },
} as const satisfies CommandSpec

async function main({ config, flags }: CommandLine<typeof MANIFEST_COMMAND>, io: ToolIo): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "athena" } })
  const pg = await openJobPostgres(config, "athena", log)
  const bungie = createJobBungie(config, { client: "athena", concurrency: 1, timeoutMs: 30_000 })
  try {
    const report = await loadManifest({
      sql: pg.sql,
      bungie,
      contentBaseUrl: config.ZEUS_URL ?? config.BUNGIE_WWW_BASE_URL,
      apiKey: config.BUNGIE_API_KEY ?? "",
      force: flags.force,
      dryRun: flags.dryRun,
    })
    io.out(JSON.stringify(report))
    log.info(report.skipped ? "athena.skipped" : "athena.loaded", { ...report })
    return 0
  } finally {
    bungie.close()
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "athena: load weapons and raid feats from the current Manifest (skips a version already loaded).",
  usage: renderHelp(MANIFEST_COMMAND),
  run: (argv, io) => runCommand(MANIFEST_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}

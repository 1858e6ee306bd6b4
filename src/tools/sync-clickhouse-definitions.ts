/**
 * `bun run tool sync-clickhouse-definitions [flags]`
 *
 * Copies definitions.weapon_definition from Postgres into ClickHouse's weapon_definition (what
 * the public API's weapon-meta route joins); see src/lib/database/clickhouse-weapon-definitions.ts.
 * Exit codes: 0 done, 1 a database failed, 2 bad usage or an unreachable database.
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { syncClickhouseWeaponDefinitions } from "../lib/database/clickhouse-weapon-definitions.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"
import { openToolClickhouse, openToolPostgres } from "./tool-connections.ts"

const NAME = "sync-clickhouse-definitions"

const SYNC_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [flags]`,
  summary:
    "Copies the weapon definitions from Postgres (definitions.weapon_definition: DATABASE_URL, else the embedded server under " +
    "DATA_DIR) into ClickHouse's weapon_definition table (CLICKHOUSE_URL, else the embedded engine), which the public API joins " +
    "to weapon_meta_by_hour. Upserts every weapon and deletes the ones Postgres no longer has. Run it after the manifest is " +
    "loaded and whenever the ClickHouse database was rebuilt.",
  sections: ["shared"],
  flags: {},
} as const satisfies CommandSpec

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(SYNC_COMMAND, (cli) => sync(cli, io), toCommandIo(argv, io))
}

async function sync({ config }: CommandLine<typeof SYNC_COMMAND>, io: ToolIo): Promise<number> {
  const pg = await openToolPostgres(NAME, config)
  try {
    const ch = await openToolClickhouse(config)
    try {
      const report = await syncClickhouseWeaponDefinitions(pg.sql, ch.client)
      io.out(`weapon_definition: ${report.upserted} upserted, ${report.deleted} deleted (ClickHouse database ${ch.database})`)
      return 0
    } catch (error) {
      io.err(`${NAME}: ${error instanceof Error ? error.message : String(error)}`)
      return 1
    } finally {
      await ch.close()
    }
  } finally {
    await pg.close()
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Copy weapon definitions from Postgres into ClickHouse's weapon_definition (the API's weapon-meta join).",
  usage: renderHelp(SYNC_COMMAND),
  run,
}

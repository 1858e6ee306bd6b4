/**
 * `bun run tool sync-clickhouse-definitions [config flags]`
 *
 * Copies definitions.weapon_definition from Postgres into ClickHouse's weapon_definition (what
 * the public API's weapon-meta route joins); see src/lib/database/clickhouse-weapon-definitions.ts.
 * Exit codes: 0 done, 1 a database failed, 2 bad usage.
 */
import { syncClickhouseWeaponDefinitions } from "../lib/database/clickhouse-weapon-definitions.ts"
import type { Tool, ToolIo } from "./tool.ts"
import { loadToolConfig, openToolClickhouse, openToolPostgres } from "./tool-connections.ts"

const NAME = "sync-clickhouse-definitions"

const USAGE = `Usage: bun run tool ${NAME} [config flags]

Copies the weapon definitions from Postgres (definitions.weapon_definition: DATABASE_URL, else
the embedded server under DATA_DIR) into ClickHouse's weapon_definition table (CLICKHOUSE_URL,
else the embedded engine), which the public API joins to weapon_meta_by_hour. Upserts every
weapon and deletes the ones Postgres no longer has. Run it after the manifest is loaded and
whenever the ClickHouse database was rebuilt.

  --help   this text`

async function run(argv: readonly string[], io: ToolIo): Promise<number> {
  const loaded = loadToolConfig(NAME, argv, io)
  if (!loaded.ok) return loaded.exitCode
  if (loaded.rest.length > 0) {
    io.err(`${NAME}: unknown argument ${JSON.stringify(loaded.rest[0])} (see --help)`)
    return 2
  }
  try {
    const pg = await openToolPostgres(NAME, loaded.config)
    try {
      const ch = await openToolClickhouse(loaded.config)
      try {
        const report = await syncClickhouseWeaponDefinitions(pg.sql, ch.client)
        io.out(`weapon_definition: ${report.upserted} upserted, ${report.deleted} deleted (ClickHouse database ${ch.database})`)
        return 0
      } finally {
        await ch.close()
      }
    } finally {
      await pg.close()
    }
  } catch (error) {
    io.err(`${NAME}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

export const tool: Tool = {
  name: NAME,
  description: "Copy weapon definitions from Postgres into ClickHouse's weapon_definition (the API's weapon-meta join).",
  usage: USAGE,
  run,
}
